package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Search compares folded text, so what people type finds what Carerix
// holds however either is spelled: case, diacritics and ligatures are
// folded away ("Yılmaz", "YILMAZ" and "yilmaz" are one; so are "Ĳzerman"
// and "IJzerman", "Müller" and "Muller"). Stored search columns hold the
// folded text, written in Go so both databases compare the same bytes,
// and every query is folded the same way before it is compared.

// searchFoldVersion names the folding the search columns hold. Rows
// written with an older one (before folding, or before a change to it)
// are folded again when the store opens; see refoldSearch.
const searchFoldVersion = 1

// foldLetters are letters that compatibility decomposition leaves alone
// but that people type as plain letters.
var foldLetters = strings.NewReplacer(
	"ı", "i", // Turkish dotless i: "Yılmaz"
	"ß", "ss", "æ", "ae", "œ", "oe", "ø", "o", "đ", "d", "ð", "d", "ł", "l", "þ", "th", "ħ", "h",
)

// fold returns s folded for search: lower case, ligatures spelled out
// (compatibility decomposition: "ĳ" becomes "ij", "ﬁ" becomes "fi"),
// diacritics removed.
func fold(s string) string {
	s = foldLetters.Replace(strings.ToLower(s))
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

// refoldBatch is how many rows one transaction of refoldSearch writes.
const refoldBatch = 500

// refoldSearch folds again the search columns of candidates, vacancies and
// conversations written with an older folding than searchFoldVersion
// (before folding existed: their lower-cased text), and names the
// conversations of synced candidates that carry no name yet. It runs when
// the store opens; with nothing to do it costs one read per table.
// Instances opening together may fold the same rows: each writes the same
// result.
func (db *DB) refoldSearch(ctx context.Context) error {
	for _, step := range []struct {
		what string
		fold func(*queries, context.Context) (int, error)
	}{
		{"candidates", (*queries).refoldCandidates},
		{"vacancies", (*queries).refoldVacancies},
		{"conversations", (*queries).refoldConversations},
	} {
		for {
			n, err := writeV(ctx, db, func(q *queries) (int, error) { return step.fold(q, ctx) })
			if err != nil {
				return fmt.Errorf("folding the search text of %s: %w", step.what, err)
			}
			if n < refoldBatch {
				break
			}
		}
	}
	return nil
}

// refoldCandidates folds one batch of candidates and reports how many.
func (q *queries) refoldCandidates(ctx context.Context) (int, error) {
	rows, err := collect(ctx, q.q, func(r rows) (recrubo.Candidate, error) {
		var c recrubo.Candidate
		err := r.Scan(&c.TenantID, &c.ID, &c.FirstName, &c.LastNamePrefix, &c.LastName, &c.Email,
			&c.Phone, &c.Mobile, &c.PhoneE164)
		return c, err
	}, `SELECT tenant_id, id, first_name, last_name_prefix, last_name, email, phone, mobile, phone_e164
        FROM candidates WHERE search_version < $1 ORDER BY tenant_id, id LIMIT $2`, searchFoldVersion, refoldBatch)
	if err != nil {
		return 0, err
	}
	for _, c := range rows {
		if _, err := q.q.exec(ctx, `UPDATE candidates SET search = $3, search_version = $4 WHERE tenant_id = $1 AND id = $2`,
			c.TenantID, c.ID, searchText(c.FullName(), c.Email, c.Phone, c.Mobile, c.PhoneE164), searchFoldVersion); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}

// refoldVacancies folds one batch of vacancies and reports how many.
func (q *queries) refoldVacancies(ctx context.Context) (int, error) {
	rows, err := collect(ctx, q.q, func(r rows) (recrubo.Vacancy, error) {
		var v recrubo.Vacancy
		err := r.Scan(&v.TenantID, &v.ID, &v.Title, &v.CompanyName)
		return v, err
	}, `SELECT tenant_id, id, title, company_name FROM vacancies WHERE search_version < $1
        ORDER BY tenant_id, id LIMIT $2`, searchFoldVersion, refoldBatch)
	if err != nil {
		return 0, err
	}
	for _, v := range rows {
		if _, err := q.q.exec(ctx, `UPDATE vacancies SET search = $3, search_version = $4 WHERE tenant_id = $1 AND id = $2`,
			v.TenantID, v.ID, searchText(v.Title, v.CompanyName), searchFoldVersion); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}

// refoldConversations names and folds one batch of conversations and
// reports how many: a synced candidate's name replaces the stored one.
func (q *queries) refoldConversations(ctx context.Context) (int, error) {
	type conv struct {
		tenantID, id, name string
		cand               recrubo.Candidate
		synced             bool
	}
	rows, err := collect(ctx, q.q, func(r rows) (conv, error) {
		var c conv
		err := r.Scan(&c.tenantID, &c.id, &c.name, &c.cand.FirstName, &c.cand.LastNamePrefix, &c.cand.LastName, &c.synced)
		return c, err
	}, `SELECT c.tenant_id, c.id, c.candidate_name, COALESCE(k.first_name, ''), COALESCE(k.last_name_prefix, ''),
            COALESCE(k.last_name, ''), k.id IS NOT NULL
        FROM conversations c
        LEFT JOIN candidates k ON k.tenant_id = c.tenant_id AND k.id = c.candidate_id AND NOT c.ambiguous AND NOT k.removed
        WHERE c.search_version < $1 ORDER BY c.tenant_id, c.id LIMIT $2`, searchFoldVersion, refoldBatch)
	if err != nil {
		return 0, err
	}
	for _, c := range rows {
		name := c.name
		if c.synced {
			name = c.cand.FullName()
		}
		if _, err := q.q.exec(ctx, `UPDATE conversations SET candidate_name = $3, search = $4, search_version = $5
            WHERE tenant_id = $1 AND id = $2`, c.tenantID, c.id, name, searchText(name), searchFoldVersion); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}
