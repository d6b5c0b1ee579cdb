package store

import (
	"context"
	"fmt"
	"time"

	recrubo "github.com/recrubo/recrubo-carerix"
)

// ChangeContract is the change kind of a tenant's Carerix contract.
const ChangeContract = "carerix_contract"

// CarerixContract returns the tenant's stored contract, ENOTFOUND when
// none was read.
func (q *queries) CarerixContract(ctx context.Context, tenantID string) (*recrubo.CarerixContract, error) {
	var (
		c            = recrubo.CarerixContract{TenantID: tenantID}
		body         string
		readAt, prAt int64
	)
	err := q.q.queryRow(ctx, `SELECT read_at, body, problem, problem_at FROM carerix_contracts WHERE tenant_id = $1`,
		tenantID).Scan(&readAt, &body, &c.Problem, &prAt)
	switch {
	case isNoRows(err):
		return nil, recrubo.Errorf(recrubo.ENOTFOUND, "The Carerix API contract of tenant %s has not been read.", tenantID)
	case err != nil:
		return nil, fmt.Errorf("reading the Carerix contract: %w", err)
	}
	c.ReadAt, c.ProblemAt, c.Body = timeMicro(readAt), timeMicro(prAt), []byte(body)
	return &c, nil
}

// SaveCarerixContract inserts or replaces the tenant's contract.
func (q *queries) SaveCarerixContract(ctx context.Context, c *recrubo.CarerixContract) error {
	if c.TenantID == "" || c.ReadAt.IsZero() || len(c.Body) == 0 {
		return recrubo.Errorf(recrubo.EINVALID, "A Carerix contract needs a tenant, the time it was read and its body.")
	}
	_, err := q.q.exec(ctx, `INSERT INTO carerix_contracts (tenant_id, read_at, body, problem, problem_at)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (tenant_id) DO UPDATE SET read_at = excluded.read_at, body = excluded.body,
            problem = excluded.problem, problem_at = excluded.problem_at`,
		c.TenantID, c.ReadAt.UnixMicro(), string(c.Body), c.Problem, microTime(c.ProblemAt))
	if err != nil {
		return fmt.Errorf("saving the Carerix contract: %w", fkNotFound(err, c.TenantID))
	}
	q.touch(c.TenantID, ChangeContract, c.TenantID)
	return nil
}

// SetCarerixContractProblem records or clears the problem that stops the
// tenant.
func (q *queries) SetCarerixContractProblem(ctx context.Context, tenantID, problem string, at time.Time) error {
	if tenantID == "" {
		return recrubo.Errorf(recrubo.EINVALID, "A contract problem needs a tenant.")
	}
	if problem == "" {
		at = time.Time{}
	}
	_, err := q.q.exec(ctx, `INSERT INTO carerix_contracts (tenant_id, problem, problem_at) VALUES ($1, $2, $3)
        ON CONFLICT (tenant_id) DO UPDATE SET problem = excluded.problem, problem_at = excluded.problem_at`,
		tenantID, problem, microTime(at))
	if err != nil {
		return fmt.Errorf("recording the Carerix contract problem: %w", fkNotFound(err, tenantID))
	}
	q.touch(tenantID, ChangeContract, tenantID)
	return nil
}

// SaveCarerixContract stores the tenant's contract.
func (db *DB) SaveCarerixContract(ctx context.Context, c *recrubo.CarerixContract) error {
	return write(ctx, db, func(q *queries) error { return q.SaveCarerixContract(ctx, c) })
}

// SetCarerixContractProblem records or clears the tenant's contract problem.
func (db *DB) SetCarerixContractProblem(ctx context.Context, tenantID, problem string, at time.Time) error {
	return write(ctx, db, func(q *queries) error { return q.SetCarerixContractProblem(ctx, tenantID, problem, at) })
}
