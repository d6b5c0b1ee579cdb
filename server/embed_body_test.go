package server

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recrubo/recrubo-carerix/store/storetest"
)

// TestBodiesSayWhichFieldIsWrong: a body that breaks a field's rule is
// refused before anything is done, with the text that field names, in
// the session's language, and the field listed; nothing is sent.
func TestBodiesSayWhichFieldIsWrong(t *testing.T) {
	f := newEmbedFixture(t, storetest.SQLite)
	f.startConversation(time.Hour)
	_, doc := f.page(f.candidateURL("nl"))
	token := pageToken(t, doc)
	base := "/embed/acme/api/candidate/" + f.cand.ID
	before, err := f.db.Messages(t.Context(), f.tenant.ID, f.conv.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("é", maxBodyRunes+1) // runes, not bytes
	for _, tc := range []struct{ path, body, field, want string }{
		{"/send", `{"body":"` + long + `"}`, "body", "Het bericht is langer dan 4096 tekens."},
		{"/send", `{"template":"intake|nl","vars":["1","2","3","4","5","6","7","8","9","10","11"]}`, "vars", "Een sjabloon heeft hoogstens 10 variabelen."},
		{"/send", `{"template":"intake|nl","vars":["` + strings.Repeat("x", maxVarRunes+1) + `"]}`, "vars[0]", "Een variabele van het sjabloon is te lang."},
		{"/state", `{"state":"archived"}`, "state", "De status moet open of gesloten zijn."},
		{"/state", `{}`, "state", "De status moet open of gesloten zijn."},
		{"/assign", `{"assignee":"` + strings.Repeat("9", 129) + `"}`, "assignee", "Kies een recruiter uit de lijst."},
		{"/send", `{"body":"hoi","extra":1}`, "", "Het verzoek is ongeldig."},
		{"/send", `{"body":"hoi"} {"body":"nog een"}`, "", "Het verzoek is ongeldig."},
	} {
		resp, out := f.api("POST", base+tc.path, token, tc.body)
		var eb errorBody
		if err := jsonUnmarshal(out, &eb); err != nil || resp.StatusCode != 400 {
			t.Errorf("%s %.60s = %d %s", tc.path, tc.body, resp.StatusCode, out)
			continue
		}
		if eb.Error != tc.want {
			t.Errorf("%s %.60s: %q, want %q", tc.path, tc.body, eb.Error, tc.want)
		}
		if tc.field != "" && (len(eb.Fields) == 0 || eb.Fields[0].Field != tc.field) {
			t.Errorf("%s %.60s: fields %+v, want %s first", tc.path, tc.body, eb.Fields, tc.field)
		}
	}
	after, err := f.db.Messages(t.Context(), f.tenant.ID, f.conv.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("refused bodies stored %d messages", len(after)-len(before))
	}
}

// TestBodyRulesMatchTheLimits: the bodies' `validate` bounds are the
// limits the pages announce (maxlength) and the errors name.
func TestBodyRulesMatchTheLimits(t *testing.T) {
	want := map[string]string{"Body": "max=" + strconv.Itoa(maxBodyRunes),
		"Vars": "max=" + strconv.Itoa(maxVars) + ",dive,max=" + strconv.Itoa(maxVarRunes)}
	for _, typ := range []reflect.Type{reflect.TypeFor[sendBody](), reflect.TypeFor[broadcastBody]()} {
		for name, rule := range want {
			f, ok := typ.FieldByName(name)
			if !ok {
				continue
			}
			if got := f.Tag.Get("validate"); !strings.HasSuffix(got, rule) {
				t.Errorf("%s.%s validates %q, want %q", typ.Name(), name, got, rule)
			}
		}
	}
}
