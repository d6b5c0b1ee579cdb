package store_test

import (
	"context"
	"errors"
	"testing"

	recrubo "github.com/recrubo/recrubo-carerix"
	"github.com/recrubo/recrubo-carerix/store/storetest"
)

func txBehaviours() []behaviour {
	return []behaviour{
		{name: "TxCommits", run: testTxCommits},
		{name: "TxRollsBackOnError", run: testTxRollsBackOnError},
		{name: "TxRollsBackOnPanic", run: testTxRollsBackOnPanic},
		{name: "TxRefusesStoreWritesInside", run: testTxRefusesStoreWrites},
	}
}

func testTxCommits(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	must(t, db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		if _, err := tx.UpsertCandidate(ctx, candidate(tn.ID, "c1", 1)); err != nil {
			return err
		}
		// The transaction reads its own writes.
		_, err := tx.Candidate(ctx, tn.ID, "c1")
		return err
	}))
	if _, err := db.Candidate(ctx, tn.ID, "c1"); err != nil {
		t.Errorf("committed write not visible: %v", err)
	}
}

func testTxRollsBackOnError(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	err := db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		if _, err := tx.UpsertCandidate(ctx, candidate(tn.ID, "c1", 1)); err != nil {
			return err
		}
		if err := tx.DeleteTenant(ctx, tn.ID); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("InTx returned %v, want fn's error", err)
	}
	_, err = db.Candidate(ctx, tn.ID, "c1")
	wantCode(t, err, recrubo.ENOTFOUND)
	if _, err := db.TenantByID(ctx, tn.ID); err != nil {
		t.Errorf("rolled-back delete took effect: %v", err)
	}
}

func testTxRollsBackOnPanic(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	func() {
		defer func() {
			if p := recover(); p != "bang" {
				t.Errorf("recovered %v, want the fn's panic", p)
			}
		}()
		_ = db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
			if _, err := tx.UpsertCandidate(ctx, candidate(tn.ID, "c1", 1)); err != nil {
				return err
			}
			panic("bang")
		})
	}()
	_, err := db.Candidate(ctx, tn.ID, "c1")
	wantCode(t, err, recrubo.ENOTFOUND)
	// The connection was released: the store still writes (on SQLite the
	// single writer would otherwise be stuck).
	_, err = db.UpsertCandidate(ctx, candidate(tn.ID, "c2", 1))
	must(t, err)
}

func testTxRefusesStoreWrites(t *testing.T, e *storetest.Env) {
	db := e.Open(t)
	ctx := t.Context()
	tn := createTenant(t, db, "acme")
	var inner error
	err := db.InTx(ctx, func(ctx context.Context, tx recrubo.Tx) error {
		_, inner = db.UpsertCandidate(ctx, candidate(tn.ID, "c1", 1))
		// Reads through the store are fine inside.
		_, err := db.TenantByID(ctx, tn.ID)
		return err
	})
	must(t, err)
	if inner == nil {
		t.Fatal("a write through the store inside InTx was not refused")
	}
	// Outside, the same context-free call works.
	_, err = db.UpsertCandidate(ctx, candidate(tn.ID, "c1", 1))
	must(t, err)
}
