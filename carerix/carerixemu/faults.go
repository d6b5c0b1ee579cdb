package carerixemu

import (
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
)

// OpToken names the token endpoint in OperationFault.Op.
const OpToken = "token"

// Faults configures fault injection for API calls (GraphQL and the token
// endpoint). Counters count down as faults fire; Faults() reports what is
// left.
type Faults struct {
	// Latency is added before every GraphQL and token response.
	Latency time.Duration `json:"latency,omitempty"`
	// RateLimited makes the next N GraphQL requests answer 429 with a
	// Retry-After header.
	RateLimited int `json:"rateLimited,omitempty"`
	// RetryAfter is the Retry-After of those 429s, rounded up to whole
	// seconds (minimum and default 1 s).
	RetryAfter time.Duration `json:"retryAfter,omitempty"`
	// ServerErrors makes the next N GraphQL requests (after any 429s)
	// answer ServerErrorStatus.
	ServerErrors int `json:"serverErrors,omitempty"`
	// ServerErrorStatus is 502, 503 (default) or 504.
	ServerErrorStatus int `json:"serverErrorStatus,omitempty"`
	// Operations fail chosen requests of chosen operations.
	Operations []OperationFault `json:"operations,omitempty"`
}

// OperationFault fails requests of one operation. For GraphQL the request
// is answered with Status instead of a GraphQL response; mutations fail
// before they change anything.
type OperationFault struct {
	// Op is a root GraphQL field (e.g. "crEmployeePage") or OpToken.
	Op string `json:"op"`
	// Pages restricts the fault to requests for these page numbers
	// (pageable.page, default 0); empty means any request.
	Pages []int `json:"pages,omitempty"`
	// Skip lets this many matching requests pass first.
	Skip int `json:"skip,omitempty"`
	// Times is how many matching requests fail; 0 means 1.
	Times int `json:"times,omitempty"`
	// Status is the HTTP status; 0 means 503. 429 adds Retry-After.
	Status int `json:"status,omitempty"`
	// RetryAfter is sent with a 429 (default 1 s).
	RetryAfter time.Duration `json:"retryAfter,omitempty"`
}

// Stats counts API traffic since the server started or ResetStats.
type Stats struct {
	// GraphQLRequests counts HTTP requests to the GraphQL endpoint.
	GraphQLRequests int `json:"graphqlRequests"`
	// TokenRequests counts HTTP requests to the token endpoint.
	TokenRequests int `json:"tokenRequests"`
	// Unauthenticated counts GraphQL requests refused with 401.
	Unauthenticated int `json:"unauthenticated"`
	// InjectedFailures counts requests failed by fault injection.
	InjectedFailures int `json:"injectedFailures"`
	// Operations holds per-root-field counters.
	Operations map[string]OperationStats `json:"operations"`
	// Realm counts sign-ins through the realm (OpenID Connect).
	Realm RealmStats `json:"realm"`
}

// RealmStats counts the realm's sign-in traffic.
type RealmStats struct {
	// AuthorizeRequests counts requests to the authorize endpoint.
	AuthorizeRequests int `json:"authorizeRequests"`
	// CodesIssued counts codes sent back to a client, from an SSO session
	// or after a login.
	CodesIssued int `json:"codesIssued"`
	// LoginsOK and LoginsFailed count login form submissions.
	LoginsOK     int `json:"loginsOk"`
	LoginsFailed int `json:"loginsFailed"`
	// CodeGrants and CodeGrantsFailed count authorization_code token
	// requests that got tokens and that were refused.
	CodeGrants       int `json:"codeGrants"`
	CodeGrantsFailed int `json:"codeGrantsFailed"`
	// UserInfoRequests counts requests to the userinfo endpoint.
	UserInfoRequests int `json:"userinfoRequests"`
	// Logouts counts requests to the logout endpoint.
	Logouts int `json:"logouts"`
}

// OperationStats counts calls of one root GraphQL field.
type OperationStats struct {
	// Calls counts every invocation that passed authentication, including
	// refused and injected-failure ones.
	Calls int `json:"calls"`
	// Requests counts the GraphQL requests that invoked it at least once
	// (a request may ask for it several times, under aliases).
	Requests int `json:"requests"`
	// Failed counts injected failures.
	Failed int `json:"failed"`
	// Pages counts successfully served pages by page number (page
	// queries only).
	Pages map[int]int `json:"pages,omitempty"`
}

// faultState holds the live fault configuration and the counters.
type faultState struct {
	mu    sync.Mutex
	f     Faults
	seen  []int // matching requests seen per Operations entry
	stats Stats
}

func newFaultState() *faultState {
	return &faultState{stats: Stats{Operations: map[string]OperationStats{}}}
}

func (fs *faultState) set(f Faults) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f.Operations = slices.Clone(f.Operations)
	fs.f = f
	fs.seen = make([]int, len(f.Operations))
}

func (fs *faultState) get() Faults {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.f
	f.Operations = slices.Clone(f.Operations)
	return f
}

func (fs *faultState) latency() time.Duration {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.f.Latency
}

// injected is one fault to apply to a response.
type injected struct {
	status     int
	retryAfter time.Duration
}

// httpFault consumes one request-level GraphQL fault, if any is left.
func (fs *faultState) httpFault() (injected, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	switch {
	case fs.f.RateLimited > 0:
		fs.f.RateLimited--
		fs.stats.InjectedFailures++
		return injected{http.StatusTooManyRequests, fs.f.RetryAfter}, true
	case fs.f.ServerErrors > 0:
		fs.f.ServerErrors--
		fs.stats.InjectedFailures++
		status := fs.f.ServerErrorStatus
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		return injected{status: status}, true
	}
	return injected{}, false
}

// opFault consumes an operation fault matching op and page (-1 for
// requests without a page), if one applies.
func (fs *faultState) opFault(op string, page int) (injected, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i := range fs.f.Operations {
		of := &fs.f.Operations[i]
		if of.Op != op || (len(of.Pages) > 0 && !slices.Contains(of.Pages, page)) {
			continue
		}
		times := of.Times
		if times == 0 {
			times = 1
		}
		if fs.seen[i] >= of.Skip+times {
			continue
		}
		fs.seen[i]++
		if fs.seen[i] <= of.Skip {
			continue
		}
		status := of.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		fs.stats.InjectedFailures++
		if op != OpToken {
			st := fs.opStatsLocked(op)
			st.Failed++
			fs.stats.Operations[op] = st
		}
		return injected{status, of.RetryAfter}, true
	}
	return injected{}, false
}

func (fs *faultState) opStatsLocked(op string) OperationStats {
	st := fs.stats.Operations[op]
	if st.Pages == nil {
		st.Pages = map[int]int{}
	}
	return st
}

// count applies fn to the stats under the lock.
func (fs *faultState) count(fn func(*Stats)) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fn(&fs.stats)
}

func (fs *faultState) countCall(op string, first bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	st := fs.opStatsLocked(op)
	st.Calls++
	if first {
		st.Requests++
	}
	fs.stats.Operations[op] = st
}

func (fs *faultState) countPage(op string, page int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	st := fs.opStatsLocked(op)
	st.Pages[page]++
	fs.stats.Operations[op] = st
}

func (fs *faultState) snapshot() Stats {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := fs.stats
	out.Operations = make(map[string]OperationStats, len(fs.stats.Operations))
	for k, v := range fs.stats.Operations {
		v.Pages = maps.Clone(v.Pages)
		out.Operations[k] = v
	}
	return out
}

func (fs *faultState) reset() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.stats = Stats{Operations: map[string]OperationStats{}}
}

// retryAfterSeconds renders a Retry-After value in whole seconds (min 1).
func retryAfterSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
