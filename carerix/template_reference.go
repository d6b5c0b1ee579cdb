package carerix

import (
	"context"
	"iter"
	"time"
)

// TemplateReference is a document template (CRTemplateReference). The
// product installs templates that embed or link its pages.
type TemplateReference struct {
	// ID is the record's _id.
	ID string
	// TemplateReferenceID is the legacy key.
	TemplateReferenceID string
	Name                string
	// Code identifies the template; the product uses its own namespaced
	// codes to find templates it installed.
	Code string
	// TargetEntityName is the level the template attaches to, e.g.
	// "CREmployee".
	TargetEntityName string
	// TemplateTypeKey selects the template type (values undocumented).
	TemplateTypeKey string
	// Content is the template body as stored; RawContent is its source,
	// possibly containing CxScript.
	Content    string
	RawContent string
	FileName   string
	IsEmbedded bool
	ShowInMenu bool
	IsActive   bool
	// UserRolesString and LanguagesString restrict visibility.
	UserRolesString  string
	LanguagesString  string
	ModificationDate time.Time
}

// wireTemplateReference is CRTemplateReference on the wire.
type wireTemplateReference struct {
	ID                  looseString `json:"_id"`
	TemplateReferenceID looseString `json:"templateReferenceID"`
	Name                string      `json:"name"`
	Code                string      `json:"code"`
	TargetEntityName    string      `json:"targetEntityName"`
	TemplateTypeKey     string      `json:"templateTypeKey"`
	Content             string      `json:"content"`
	RawContent          string      `json:"rawContent"`
	FileName            string      `json:"fileName"`
	IsEmbedded          looseBool   `json:"isEmbedded"`
	ShowInMenu          looseBool   `json:"showInMenu"`
	IsActive            looseBool   `json:"isActive"`
	UserRolesString     string      `json:"userRolesString"`
	LanguagesString     string      `json:"languagesString"`
	ModificationDate    jsonTime    `json:"modificationDate"`
}

func (w wireTemplateReference) templateReference() TemplateReference {
	return TemplateReference{
		ID:                  string(w.ID),
		TemplateReferenceID: string(w.TemplateReferenceID),
		Name:                w.Name,
		Code:                w.Code,
		TargetEntityName:    w.TargetEntityName,
		TemplateTypeKey:     w.TemplateTypeKey,
		Content:             w.Content,
		RawContent:          w.RawContent,
		FileName:            w.FileName,
		IsEmbedded:          bool(w.IsEmbedded),
		ShowInMenu:          bool(w.ShowInMenu),
		IsActive:            bool(w.IsActive),
		UserRolesString:     w.UserRolesString,
		LanguagesString:     w.LanguagesString,
		ModificationDate:    w.ModificationDate.Time,
	}
}

// TemplateReferenceRequest holds the fields to set when creating or
// updating a template reference (CRTemplateReferenceRequest); nil fields
// are not sent.
type TemplateReferenceRequest struct {
	Name             *string
	Code             *string
	TargetEntityName *string
	TemplateTypeKey  *string
	Content          *string
	RawContent       *string
	FileName         *string
	IsEmbedded       *bool
	IsActive         *bool
	ShowInMenu       *bool
	UserRolesString  *string
	LanguagesString  *string
}

// request renders r as the tenant's CRTemplateReferenceRequest for
// mutation op.
func (r TemplateReferenceRequest) request(op string) func(*Contract) (map[string]any, error) {
	return func(k *Contract) (map[string]any, error) {
		set := map[string]any{}
		for name, v := range map[string]*string{
			"name": r.Name, "code": r.Code, "targetEntityName": r.TargetEntityName,
			"templateTypeKey": r.TemplateTypeKey, "content": r.Content, "rawContent": r.RawContent,
			"fileName": r.FileName, "userRolesString": r.UserRolesString, "languagesString": r.LanguagesString,
		} {
			if v != nil {
				set[name] = *v
			}
		}
		for name, v := range map[string]*bool{"isEmbedded": r.IsEmbedded, "isActive": r.IsActive, "showInMenu": r.ShowInMenu} {
			if v != nil {
				set[name] = *v
			}
		}
		return k.requestFields(op, typeTemplateRef, set)
	}
}

// empty reports whether r sets nothing.
func (r TemplateReferenceRequest) empty() bool {
	return r == TemplateReferenceRequest{}
}

// TemplateReferencePage reads one page of template references.
func (c *Client) TemplateReferencePage(ctx context.Context, r PageRequest) (*Page[TemplateReference], error) {
	return fetchPage(ctx, c, opTemplateRefPage, typeTemplateRef, r, wireTemplateReference.templateReference)
}

// TemplateReferences iterates over all template references matching r.
func (c *Client) TemplateReferences(ctx context.Context, r PageRequest) iter.Seq2[TemplateReference, error] {
	return NewPager(c.TemplateReferencePage, r).All(ctx)
}

// TemplateReference reads one template reference by _id.
func (c *Client) TemplateReference(ctx context.Context, id string) (*TemplateReference, error) {
	return fetchOne(ctx, c, opTemplateRef, opTemplateRefPage, typeTemplateRef, id, wireTemplateReference.templateReference)
}

// CreateTemplateReference creates a template reference. It is not retried
// after an ambiguous failure (it could create a duplicate); look it up by
// Code before creating again.
func (c *Client) CreateTemplateReference(ctx context.Context, r TemplateReferenceRequest) (*TemplateReference, error) {
	const op = "crTemplateReferenceCreate"
	if r.Name == nil || *r.Name == "" {
		return nil, &Error{Kind: ErrBadRequest, Op: op, Message: "name is required"}
	}
	w, err := mutateWith[wireTemplateReference](ctx, c, opTemplateCreate, typeTemplateRef, "", r.request(opTemplateCreate), false)
	if err != nil {
		return nil, err
	}
	t := w.templateReference()
	return &t, nil
}

// UpdateTemplateReference sets the given fields of template reference id.
func (c *Client) UpdateTemplateReference(ctx context.Context, id string, r TemplateReferenceRequest) (*TemplateReference, error) {
	const op = "crTemplateReferenceUpdate"
	if id == "" || r.empty() {
		return nil, &Error{Kind: ErrBadRequest, Op: op, Message: "id and at least one field are required"}
	}
	w, err := mutateWith[wireTemplateReference](ctx, c, opTemplateUpdate, typeTemplateRef, id, r.request(opTemplateUpdate), true)
	if err != nil {
		return nil, err
	}
	t := w.templateReference()
	return &t, nil
}

// DeleteTemplateReference deletes template reference id
// (crTemplateReferenceDelete).
func (c *Client) DeleteTemplateReference(ctx context.Context, id string) error {
	return c.deleteRecord(ctx, opTemplateDelete, id)
}
