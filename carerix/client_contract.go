package carerix

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// rediscoverCooldown is the least time between two reads of the contract
// prompted by schema errors, so a query Carerix keeps rejecting cannot
// make every call read the schema again.
const rediscoverCooldown = time.Minute

// contractState is a client's contract: the one it was given or read, and
// the lock that makes concurrent callers share one read.
type contractState struct {
	mu      sync.Mutex
	cur     atomic.Pointer[Contract]
	load    func(context.Context) (*Contract, error)
	onRead  func(context.Context, *Contract) error
	lastRun time.Time // guarded by mu
	reads   atomic.Int64
}

// Contract returns the tenant's contract: the one in Config.Contract or
// read earlier, else the stored one (Config.LoadContract), else one read
// now (Discover) and handed to Config.OnContract.
func (c *Client) Contract(ctx context.Context) (*Contract, error) {
	if k := c.contract.cur.Load(); k != nil {
		return k, nil
	}
	if c.contract.load != nil {
		k, err := c.contract.load(ctx)
		if err != nil {
			c.log.WarnContext(ctx, "loading the stored carerix contract failed; reading it from Carerix", "error", err)
		}
		if k != nil {
			c.contract.cur.CompareAndSwap(nil, k)
			return c.contract.cur.Load(), nil
		}
	}
	return c.readContract(ctx, nil)
}

// ReadContract reads the tenant's contract again, whatever the client
// holds, and keeps it.
func (c *Client) ReadContract(ctx context.Context) (*Contract, error) {
	return c.readContract(ctx, c.contract.cur.Load())
}

// ContractReads counts how often this client read the contract.
func (c *Client) ContractReads() int64 { return c.contract.reads.Load() }

// readContract reads the contract unless another caller replaced stale
// meanwhile.
func (c *Client) readContract(ctx context.Context, stale *Contract) (*Contract, error) {
	c.contract.mu.Lock()
	defer c.contract.mu.Unlock()
	if k := c.contract.cur.Load(); k != nil && k != stale {
		return k, nil
	}
	k, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	c.contract.reads.Add(1)
	c.contract.lastRun = c.now()
	c.contract.cur.Store(k)
	if c.contract.onRead != nil {
		if err := c.contract.onRead(ctx, k); err != nil {
			c.log.WarnContext(ctx, "storing the carerix contract failed", "error", err)
		}
	}
	return k, nil
}

// withContract runs call with the tenant's contract. When Carerix rejects
// the query as naming something its schema lacks (the schema changed since
// the contract was read), the contract is read again, once, and call runs
// with it; if Carerix still rejects it, the error is an ErrContract error
// saying so.
func (c *Client) withContract(ctx context.Context, op string, call func(*Contract) error) error {
	k, err := c.Contract(ctx)
	if err != nil {
		return err
	}
	err = call(k)
	if !schemaRejected(err) {
		return err
	}
	c.contract.mu.Lock()
	recent := !c.contract.lastRun.IsZero() && c.now().Sub(c.contract.lastRun) < rediscoverCooldown
	c.contract.mu.Unlock()
	if recent && c.contract.cur.Load() == k {
		return contractFailure(op, err)
	}
	c.log.WarnContext(ctx, "carerix rejected a query built from the tenant's contract; reading the contract again", "op", op, "error", err)
	k2, derr := c.readContract(ctx, k)
	if derr != nil {
		return fmt.Errorf("carerix %s: reading the contract again after %w: %w", op, err, derr)
	}
	if err := call(k2); err != nil {
		if schemaRejected(err) || errors.Is(err, ErrContract) {
			return contractFailure(op, err)
		}
		return err
	}
	return nil
}

// schemaRejected reports whether Carerix itself rejected a query for
// naming something its schema lacks (not a gap found before sending).
func schemaRejected(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == ErrContract && e.Op != "contract"
}

// contractFailure is the error of a query Carerix still rejects after the
// contract was read again: what Carerix said, and that the contract did
// not explain it.
func contractFailure(op string, err error) error {
	var e *Error
	if errors.As(err, &e) && e.Op == "contract" {
		return e // a required gap: its line says it all
	}
	msg := err.Error()
	if errors.As(err, &e) {
		msg = e.Message
		if f, typ, ok := unknownField(e.Message); ok {
			msg = fmt.Sprintf("Carerix type %s rejects field %s although its schema lists it (%s)", typ, f, e.Message)
		}
	}
	return &Error{Kind: ErrContract, Op: op, Message: msg}
}

// StoreContracts makes the client keep tenantID's contract in cs: it
// starts from the stored contract, and every contract it reads is stored,
// with the problem it has (a required gap) or none. Stored contracts that
// cannot be decoded are read again.
func (c *Config) StoreContracts(cs recrubo.ContractStore, tenantID string) {
	c.LoadContract = func(ctx context.Context) (*Contract, error) {
		stored, err := cs.CarerixContract(ctx, tenantID)
		if recrubo.ErrorCode(err) == recrubo.ENOTFOUND || (err == nil && len(stored.Body) == 0) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return UnmarshalContract(stored.Body)
	}
	c.OnContract = func(ctx context.Context, k *Contract) error {
		return SaveContract(ctx, cs, tenantID, k)
	}
}

// SaveContract stores k as tenantID's contract, with the problem its
// required gaps make (none clears a previous problem).
func SaveContract(ctx context.Context, cs recrubo.ContractStore, tenantID string, k *Contract) error {
	body, err := MarshalContract(k)
	if err != nil {
		return err
	}
	stored := &recrubo.CarerixContract{TenantID: tenantID, ReadAt: k.ReadAt, Body: body}
	if err := k.Err(); err != nil {
		stored.Problem, stored.ProblemAt = ContractProblem(err), k.ReadAt
	}
	return cs.SaveCarerixContract(ctx, stored)
}

// ContractProblem is the one line an admin reads for an ErrContract error.
func ContractProblem(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return err.Error()
}
