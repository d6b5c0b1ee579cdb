package carerixemu

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// SeedOptions sizes a generated data set.
type SeedOptions struct {
	Candidates int `json:"candidates"`
	Vacancies  int `json:"vacancies"`
	Matches    int `json:"matches"`
	// Recruiters is the number of CRUser recruiters; the first is an
	// administrator. At least one is created when any other record is.
	Recruiters int `json:"recruiters"`
	// Seed makes the data deterministic: the same options on a fresh
	// emulator produce the same records.
	Seed int64 `json:"seed"`
	// Publish sends a created event per record (off by default: a bulk
	// import produces no webhooks).
	Publish bool `json:"publish"`
}

// SeedResult lists the _ids of the records Seed created.
type SeedResult struct {
	Users      []string `json:"users"`
	Candidates []string `json:"candidates"`
	Vacancies  []string `json:"vacancies"`
	Matches    []string `json:"matches"`
}

// Hostile values: one in HostileEvery generated candidates and vacancies
// carries one of them (HTML and script, quotes, emoji, 2,000+ character
// fields, empty phone numbers, CxScript-looking text).
const HostileEvery = 10

// Seed adds generated Dutch data: recruiters, companies, candidates (about
// 5 % soft-deleted), vacancies and matches, with statuses spread over the
// default status nodes and hostile values in a fixed fraction of records.
// Creation and modification dates lie up to two years before Now.
func (s *Store) Seed(ctx context.Context, o SeedOptions) (SeedResult, error) {
	if o.Candidates < 0 || o.Vacancies < 0 || o.Matches < 0 || o.Recruiters < 0 {
		return SeedResult{}, fmt.Errorf("seeding: %w", invalid("counts must not be negative"))
	}
	if o.Matches > 0 && (o.Candidates == 0 || o.Vacancies == 0) {
		return SeedResult{}, fmt.Errorf("seeding: %w", invalid("matches need candidates and vacancies"))
	}
	o.Matches = min(o.Matches, o.Candidates*o.Vacancies)
	if o.Recruiters == 0 && o.Candidates+o.Vacancies > 0 {
		o.Recruiters = 1
	}
	g := &seeder{s: s, rng: rand.New(rand.NewPCG(uint64(o.Seed), 0x5eed)), now: s.stamp()}
	s.mu.Lock()
	var res SeedResult
	var err error
	if res.Users, err = g.users(o.Recruiters); err == nil {
		if res.Candidates, err = g.candidates(o.Candidates); err == nil {
			if res.Vacancies, err = g.vacancies(o.Vacancies); err == nil {
				res.Matches, err = g.matches(o.Matches)
			}
		}
	}
	s.mu.Unlock()
	if err != nil {
		return res, fmt.Errorf("seeding: %w", err)
	}
	if o.Publish {
		for _, id := range res.Users {
			s.emit(ctx, KindUser, actionCreated, id, nil, g.now)
		}
		for _, id := range res.Candidates {
			s.emit(ctx, KindEmployee, actionCreated, id, nil, g.now)
		}
		for _, id := range res.Vacancies {
			s.emit(ctx, KindVacancy, actionCreated, id, nil, g.now)
		}
		for _, id := range res.Matches {
			s.emit(ctx, KindMatch, actionCreated, id, nil, g.now)
		}
	}
	return res, nil
}

// seeder generates records with the store lock held.
type seeder struct {
	s        *Store
	rng      *rand.Rand
	now      time.Time
	userKeys []int
}

func (g *seeder) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// weighted picks an export code by weight.
func (g *seeder) weighted(choices []weightedCode) string {
	total := 0
	for _, c := range choices {
		total += c.weight
	}
	n := g.rng.IntN(total)
	for _, c := range choices {
		if n < c.weight {
			return c.code
		}
		n -= c.weight
	}
	return choices[len(choices)-1].code
}

type weightedCode struct {
	code   string
	weight int
}

var candidateStatusWeights = []weightedCode{
	{"CAND_NEW", 20}, {"CAND_ACTIVE", 30}, {"CAND_AVAILABLE", 15}, {"CAND_UNAVAILABLE", 12},
	{"CAND_PLACED", 10}, {"CAND_ARCHIVED", 8}, {"CAND_OLD", 3}, {"", 2},
}

var vacancyStatusWeights = []weightedCode{
	{"VAC_OPEN", 40}, {"VAC_IN_PROGRESS", 20}, {"VAC_ON_HOLD", 10}, {"VAC_FILLED", 15}, {"VAC_CLOSED", 15},
}

var stageWeights = []weightedCode{
	{"applied", 35}, {"proposed", 20}, {"interview", 15}, {"offered", 8}, {"placed", 7}, {"rejected", 15},
}

// dates returns a creation date up to two years back and a modification
// date between it and now.
func (g *seeder) dates() (time.Time, time.Time) {
	span := int64(2 * 365 * 24 * time.Hour / time.Second)
	created := g.now.Add(-time.Duration(g.rng.Int64N(span)) * time.Second)
	since := int64(g.now.Sub(created) / time.Second)
	modified := created.Add(time.Duration(g.rng.Int64N(since+1)) * time.Second)
	return created, modified
}

func (g *seeder) owner() int {
	if len(g.userKeys) == 0 {
		return 0
	}
	return g.userKeys[g.rng.IntN(len(g.userKeys))]
}

func (g *seeder) users(n int) ([]string, error) {
	var ids []string
	for i := range n {
		first := g.pick(seedFirstNames)
		ln := seedLastNames[g.rng.IntN(len(seedLastNames))]
		last := strings.TrimSpace(ln.prefix + " " + ln.name)
		userName := fmt.Sprintf("%s.%s%d", strings.ToLower(first), strings.ToLower(strings.ReplaceAll(ln.name, " ", "")), i+1)
		roles := []string{RoleRecruiter}
		switch {
		case i == 0:
			userName, roles = "admin", []string{RoleAdministrator, RoleRecruiter}
		case i%4 == 3:
			roles = []string{RoleConsultant}
		}
		lang := "Dutch"
		if i%5 == 4 {
			lang = "English"
		}
		u := &User{UserName: userName, FirstName: Str(first), LastName: Str(last),
			EmailAddress: Str(userName + "@example.nl"), IsActive: true, Language: lang, Roles: roles}
		for _, r := range roles {
			g.s.roleLocked(r)
		}
		k := g.s.users.nextKey()
		u.ID, u.UserID = idString(k), k
		u.CreationDate, u.ModificationDate = g.dates()
		u.rehash()
		g.s.users.put(k, u)
		g.userKeys = append(g.userKeys, k)
		ids = append(ids, u.ID)
	}
	return ids, nil
}

func (g *seeder) nodeByCode(typ, code string) (int, error) {
	if code == "" {
		return 0, nil
	}
	return g.s.findNodeLocked(typ, code)
}

func (g *seeder) candidates(n int) ([]string, error) {
	var ids []string
	for i := range n {
		first := g.pick(seedFirstNames)
		ln := seedLastNames[g.rng.IntN(len(seedLastNames))]
		e := &Employee{FirstName: Str(first), LastName: Str(ln.name), City: Str(g.pick(seedCities))}
		if ln.prefix != "" {
			e.LastNamePrefix = Str(ln.prefix)
		}
		if g.rng.IntN(100) < 85 {
			local := strings.ToLower(first + "." + strings.ReplaceAll(ln.prefix+ln.name, " ", ""))
			local = strings.NewReplacer("'", "", "ı", "i").Replace(local)
			e.EmailAddress = Str(fmt.Sprintf("%s%d@example.nl", local, i+1))
		}
		e.MobileNumber = g.mobile()
		if g.rng.IntN(100) < 30 {
			e.PhoneNumber = Str(fmt.Sprintf("%s-%07d", g.pick(seedAreaCodes), g.rng.IntN(10_000_000)))
		}
		if g.rng.IntN(100) < 40 {
			e.Notes = Str(g.pick(seedNotes))
		}
		if i%HostileEvery == HostileEvery/2 {
			hostileEmployee(e, i/HostileEvery)
		}
		var err error
		if e.StatusNodeID, err = g.nodeByCode(NodeTypeCandidateStatus, g.weighted(candidateStatusWeights)); err != nil {
			return nil, err
		}
		e.OwnerID = g.owner()
		e.Deleted = g.rng.IntN(100) < 5
		k := g.s.employees.nextKey()
		e.ID, e.EmployeeID = idString(k), k
		e.CreationDate, e.ModificationDate = g.dates()
		e.rehash()
		g.s.employees.put(k, e)
		ids = append(ids, e.ID)
	}
	return ids, nil
}

// mobile returns a Dutch mobile number in one of the formats people type,
// or nil.
func (g *seeder) mobile() *string {
	d := g.rng.IntN(100_000_000)
	switch n := g.rng.IntN(100); {
	case n < 40:
		return Str(fmt.Sprintf("+31 6 %04d %04d", d/10000, d%10000))
	case n < 70:
		return Str(fmt.Sprintf("06-%08d", d))
	case n < 80:
		return Str(fmt.Sprintf("06%08d", d))
	case n < 85:
		return Str(fmt.Sprintf("+316%08d", d))
	}
	return nil
}

// hostileEmployee puts one hostile value (chosen by n) into e.
func hostileEmployee(e *Employee, n int) {
	switch n % 10 {
	case 0:
		e.FirstName = Str(`<script>alert("xss")</script>`)
	case 1:
		e.FirstName, e.LastName, e.LastNamePrefix = Str("Seán"), Str("O'Brien"), nil
	case 2:
		e.Notes = Str(seedLongText(2500))
	case 3:
		e.FirstName, e.LastName = Str("Zoë 🚀"), Str("Ĳzerman")
	case 4:
		e.Notes = Str(`<b>vet</b> & <i>cursief</i> <img src=x onerror=alert(1)>`)
	case 5:
		e.LastName, e.Notes = Str(`"de Vries"`), Str(`Robert'); DROP TABLE CREmployee;--`)
	case 6:
		e.PhoneNumber, e.MobileNumber = Str(""), nil
	case 7:
		e.City, e.Notes = Str("'s-Hertogenbosch"), Str(`${activity.owner.userID} <cx:write value="$activity.owner.userID"/>`)
	case 8:
		e.FirstName = Str(strings.Repeat("Lang", 520))
	case 9:
		e.LastName = Str("\u202eredaV\u200d")
	}
}

func (g *seeder) vacancies(n int) ([]string, error) {
	var ids []string
	for i := range n {
		v := &Vacancy{JobTitle: Str(g.pick(seedJobTitles))}
		v.TitleInformation = Str(*v.JobTitle + " in " + g.pick(seedCities))
		v.CompanyID = g.s.companyLocked(g.pick(seedCompanies))
		if i%HostileEvery == HostileEvery/2 {
			switch (i / HostileEvery) % 3 {
			case 0:
				v.JobTitle = Str(`Medewerker <script>alert(1)</script> & "co"`)
			case 1:
				v.TitleInformation = Str(seedLongText(2100))
			case 2:
				v.JobTitle = Str("Chauffeur 🚚 O'Neill")
			}
		}
		var err error
		if v.StatusNodeID, err = g.nodeByCode(NodeTypeVacancyStatus, g.weighted(vacancyStatusWeights)); err != nil {
			return nil, err
		}
		v.OwnerID = g.owner()
		v.Deleted = g.rng.IntN(100) < 3
		k := g.s.vacancies.nextKey()
		v.ID, v.VacancyID = idString(k), k
		v.CreationDate, v.ModificationDate = g.dates()
		v.rehash()
		g.s.vacancies.put(k, v)
		ids = append(ids, v.ID)
	}
	return ids, nil
}

func (g *seeder) matches(n int) ([]string, error) {
	emps, vacs := g.s.employees.all(), g.s.vacancies.all()
	// Each candidate/vacancy pair is matched at most once, counting
	// matches that already exist.
	seen := map[[2]int]bool{}
	for _, m := range g.s.matches.all() {
		seen[[2]int{m.EmployeeID, m.VacancyID}] = true
	}
	n = min(n, len(emps)*len(vacs)-len(seen))
	var ids []string
	for len(ids) < n {
		e := emps[g.rng.IntN(len(emps))]
		v := vacs[g.rng.IntN(len(vacs))]
		pair := [2]int{e.EmployeeID, v.VacancyID}
		if seen[pair] {
			continue
		}
		seen[pair] = true
		stage, err := g.s.resolveStageLocked(g.weighted(stageWeights))
		if err != nil {
			return nil, err
		}
		m := &Match{EmployeeID: e.EmployeeID, VacancyID: v.VacancyID, StatusInfoID: stage}
		k := g.s.matches.nextKey()
		m.ID, m.MatchID = g.s.matchIDFor(e.EmployeeID, k), k
		m.CreationDate, m.ModificationDate = g.dates()
		m.rehash()
		g.s.matches.put(k, m)
		ids = append(ids, m.ID)
	}
	return ids, nil
}
