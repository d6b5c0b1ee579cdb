package whatsapp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

var (
	// ErrMediaTooLarge is wrapped when a media file is larger than the
	// caller allows; it is not retryable.
	ErrMediaTooLarge = errors.New("whatsapp: media file too large")
	// ErrMediaChecksum is wrapped when downloaded media does not match the
	// SHA-256 Meta reported for it.
	ErrMediaChecksum = errors.New("whatsapp: media checksum mismatch")
)

// MediaInfo is what GET /{media-id} says about a media file.
type MediaInfo struct {
	ID string
	// URL is where the file can be downloaded, with the access token, for
	// a few minutes only.
	URL      string
	MimeType string
	// SHA256 is the file's hash in hex.
	SHA256 string
	// FileSize is the size in bytes, 0 when Meta did not say.
	FileSize int64
}

// mediaInfoWire is the media object; file_size comes as a number or a
// string.
type mediaInfoWire struct {
	MessagingProduct string      `json:"messaging_product"`
	ID               string      `json:"id"`
	URL              string      `json:"url"`
	MimeType         string      `json:"mime_type"`
	SHA256           string      `json:"sha256"`
	FileSize         json.Number `json:"file_size"`
}

// mediaIDOK accepts the digits Meta uses for media ids.
func mediaIDOK(id string) bool { return phoneNumberIDRE.MatchString(id) }

// MediaInfo reads a media file's short-lived download URL and facts.
func (c *Client) MediaInfo(ctx context.Context, mediaID string) (MediaInfo, error) {
	if !mediaIDOK(mediaID) {
		return MediaInfo{}, fmt.Errorf("%w: media id %q must be digits", ErrInvalidRequest, mediaID)
	}
	var w mediaInfoWire
	q := url.Values{"phone_number_id": {c.phoneID}}
	if err := c.get(ctx, mediaID, q, &w); err != nil {
		return MediaInfo{}, fmt.Errorf("reading media %s: %w", mediaID, err)
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return MediaInfo{}, fmt.Errorf("reading media %s: %w: no usable download URL", mediaID, ErrMalformedResponse)
	}
	info := MediaInfo{ID: w.ID, URL: w.URL, MimeType: w.MimeType, SHA256: strings.ToLower(w.SHA256)}
	if info.ID == "" {
		info.ID = mediaID
	}
	if w.FileSize != "" {
		n, err := strconv.ParseInt(string(w.FileSize), 10, 64)
		if err != nil || n < 0 {
			return MediaInfo{}, fmt.Errorf("reading media %s: %w: file_size %q", mediaID, ErrMalformedResponse, w.FileSize)
		}
		info.FileSize = n
	}
	return info, nil
}

// DownloadMedia downloads the file info describes, with the access token,
// reading at most maxBytes: a larger file (by Meta's file_size or by what
// arrives) is ErrMediaTooLarge. The content must match info's SHA-256
// when Meta gave one (ErrMediaChecksum). A download URL that expired
// answers 404 (an *APIError): ask MediaInfo again for a fresh one.
func (c *Client) DownloadMedia(ctx context.Context, info MediaInfo, maxBytes int64) (DownloadedMedia, error) {
	if maxBytes <= 0 {
		return DownloadedMedia{}, fmt.Errorf("%w: no size limit given", ErrInvalidRequest)
	}
	if info.FileSize > maxBytes {
		return DownloadedMedia{}, fmt.Errorf("%w: %d bytes, limit %d", ErrMediaTooLarge, info.FileSize, maxBytes)
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, info.URL, nil)
	if err != nil {
		return DownloadedMedia{}, fmt.Errorf("building media request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return DownloadedMedia{}, fmt.Errorf("downloading media %s: %w", info.ID, ctx.Err())
		}
		return DownloadedMedia{}, &NetworkError{Op: "downloading media", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		return DownloadedMedia{}, fmt.Errorf("downloading media %s: %w", info.ID, parseAPIError(resp.StatusCode, raw))
	}
	if resp.ContentLength > maxBytes {
		return DownloadedMedia{}, fmt.Errorf("%w: %d bytes, limit %d", ErrMediaTooLarge, resp.ContentLength, maxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return DownloadedMedia{}, fmt.Errorf("downloading media %s: %w", info.ID, ctx.Err())
		}
		return DownloadedMedia{}, &NetworkError{Op: "downloading media", Err: err}
	}
	if int64(len(data)) > maxBytes {
		return DownloadedMedia{}, fmt.Errorf("%w: more than %d bytes", ErrMediaTooLarge, maxBytes)
	}
	if want := info.SHA256; len(want) == 2*sha256.Size {
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != want {
			return DownloadedMedia{}, fmt.Errorf("downloading media %s: %w", info.ID, ErrMediaChecksum)
		}
	}
	ct := resp.Header.Get("Content-Type")
	if ct == "" || strings.HasPrefix(ct, "application/octet-stream") {
		ct = info.MimeType
	}
	return DownloadedMedia{Data: data, ContentType: ct}, nil
}

// DownloadedMedia is a downloaded media file.
type DownloadedMedia struct {
	// Data is the file's content.
	Data []byte
	// ContentType is what the download said, else the media's MIME type.
	ContentType string
}

// MaxUploadBytes is the largest file UploadMedia sends (Meta's document
// limit is 100 MB; the service's own limit is lower).
const MaxUploadBytes = 100 << 20

// UploadMedia uploads a file for the client's number (POST
// /{phone-number-id}/media) and returns its media id, to send with
// SendMedia.
func (c *Client) UploadMedia(ctx context.Context, mimeType, filename string, data []byte) (string, error) {
	if mimeType == "" || len(data) == 0 {
		return "", fmt.Errorf("%w: an upload needs a type and content", ErrInvalidRequest)
	}
	if len(data) > MaxUploadBytes {
		return "", fmt.Errorf("%w: %d bytes, limit %d", ErrMediaTooLarge, len(data), MaxUploadBytes)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("messaging_product", "whatsapp")
	_ = mw.WriteField("type", mimeType)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, safeFilename(filename)))
	h.Set("Content-Type", mimeType)
	part, err := mw.CreatePart(h)
	if err != nil {
		return "", fmt.Errorf("building upload: %w", err)
	}
	if _, err := part.Write(data); err != nil {
		return "", fmt.Errorf("building upload: %w", err)
	}
	if err := mw.Close(); err != nil {
		return "", fmt.Errorf("building upload: %w", err)
	}
	u, err := url.JoinPath(c.base, c.phoneID, "media")
	if err != nil {
		return "", fmt.Errorf("building URL: %w", err)
	}
	var out struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, http.MethodPost, u, mw.FormDataContentType(), &body, &out, "POST media"); err != nil {
		return "", fmt.Errorf("uploading %s: %w", mimeType, err)
	}
	if out.ID == "" {
		return "", fmt.Errorf("uploading %s: %w: no media id", mimeType, ErrMalformedResponse)
	}
	return out.ID, nil
}

// safeFilename keeps a file name printable and short for a header.
func safeFilename(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '/' {
			return '_'
		}
		return r
	}, name)
	if name == "" {
		name = "file"
	}
	for utf8.RuneCountInString(name) > 200 {
		r := []rune(name)
		name = string(r[:200])
	}
	return name
}

// MediaMessage is an image, document, audio or video message of an
// uploaded file.
type MediaMessage struct {
	// Kind is image, document, audio or video.
	Kind string
	// MediaID is the id UploadMedia returned.
	MediaID string
	// Caption is shown under an image, video or document.
	Caption string
	// Filename is a document's file name as the candidate sees it.
	Filename string
}

type mediaObject struct {
	ID       string `json:"id"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// SendMedia sends an uploaded file. Like free text, it is only delivered
// inside the customer service window. callbackData works as in
// [Client.SendText].
func (c *Client) SendMedia(ctx context.Context, to string, m MediaMessage, callbackData string) (SendResult, error) {
	recipient, err := normalizeRecipient(to)
	if err != nil {
		return SendResult{}, err
	}
	if !mediaIDOK(m.MediaID) {
		return SendResult{}, fmt.Errorf("%w: media id %q must be digits", ErrInvalidRequest, m.MediaID)
	}
	if err := checkCallbackData(callbackData); err != nil {
		return SendResult{}, err
	}
	obj := &mediaObject{ID: m.MediaID, Caption: m.Caption}
	req := sendRequest{MessagingProduct: "whatsapp", RecipientType: "individual", To: recipient, Type: m.Kind,
		BizOpaqueCallbackData: callbackData}
	switch m.Kind {
	case "image":
		req.Image = obj
	case "video":
		req.Video = obj
	case "document":
		obj.Filename = safeFilename(m.Filename)
		req.Document = obj
	case "audio":
		obj.Caption = ""
		req.Audio = obj
	default:
		return SendResult{}, fmt.Errorf("%w: media kind %q", ErrInvalidRequest, m.Kind)
	}
	res, err := c.send(ctx, req)
	if err != nil {
		return SendResult{}, fmt.Errorf("sending %s to %s: %w", m.Kind, recipient, err)
	}
	return res, nil
}
