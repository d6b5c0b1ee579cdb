package provisioning

import (
	"fmt"
	"strings"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// Action is what a plan does with one item.
type Action string

// The actions of a plan.
const (
	Create    Action = "create"
	Update    Action = "update"
	Replace   Action = "replace" // delete and create again (webhooks have no update)
	Enable    Action = "enable"
	Unchanged Action = "unchanged"
	Delete    Action = "delete"
)

// Step is one item of a plan.
type Step struct {
	Kind recrubo.ProvisionKind
	// Key is our name of the item: a template code, "app", the entity a
	// webhook subscribes to, or "check" for the probe activity.
	Key    string
	Action Action
	// RemoteID is the existing item's Carerix id (empty for Create).
	RemoteID string
	// Why explains an Update, Replace or Enable.
	Why string
}

// String renders the step as one plan line.
func (s Step) String() string {
	line := fmt.Sprintf("%-9s %-19s %s", s.Action, s.Kind, s.Key)
	if s.Why != "" {
		line += " (" + s.Why + ")"
	}
	return line
}

// Plan is what provisioning (or unprovisioning) will do, in order.
type Plan struct {
	Steps []Step
}

// Changes counts the steps that change something in Carerix.
func (p *Plan) Changes() int {
	n := 0
	for _, s := range p.Steps {
		if s.Action != Unchanged {
			n++
		}
	}
	return n
}

// Count returns how many steps take action a.
func (p *Plan) Count(a Action) int {
	n := 0
	for _, s := range p.Steps {
		if s.Action == a {
			n++
		}
	}
	return n
}

// Step returns the step of (kind, key), if planned.
func (p *Plan) Step(kind recrubo.ProvisionKind, key string) (Step, bool) {
	for _, s := range p.Steps {
		if s.Kind == kind && s.Key == key {
			return s, true
		}
	}
	return Step{}, false
}

// String renders the plan, one line per step.
func (p *Plan) String() string {
	var b strings.Builder
	for _, s := range p.Steps {
		b.WriteString(s.String())
		b.WriteByte('\n')
	}
	return b.String()
}
