package waemu

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultMediaURLTTL is how long a media download URL works, as with Meta
// (five minutes).
const DefaultMediaURLTTL = 5 * time.Minute

// maxUploadBytes bounds an upload to the media endpoint.
const maxUploadBytes = 100 << 20

// mediaFile is a file the emulator holds: sent by a simulated candidate or
// uploaded by the business.
type mediaFile struct {
	id       string
	phoneID  string
	mimeType string
	filename string
	data     []byte
}

func (f *mediaFile) sha256Hex() string {
	sum := sha256.Sum256(f.data)
	return hex.EncodeToString(sum[:])
}

// MediaFile returns the content and MIME type of a media file the
// emulator holds (inbound or uploaded).
func (e *Emulator) MediaFile(id string) (data []byte, mimeType string, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f, ok := e.media[id]
	if !ok {
		return nil, "", false
	}
	return append([]byte(nil), f.data...), f.mimeType, true
}

// handleGraphObject serves GET /{version}/{id}: a business phone number
// (verified name, display number, quality rating) or a media file's
// short-lived download URL.
func (e *Emulator) handleGraphObject(w http.ResponseWriter, r *http.Request) {
	version, id := r.PathValue("version"), r.PathValue("id")
	if !knownVersion(w, version) {
		return
	}
	if _, isPhone := e.opts.AccessTokens[id]; isPhone {
		if f, ok := e.authorize(r, id); !ok {
			writeGraphError(w, f)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{
			"id": id, "display_phone_number": e.displayNumber(id), "verified_name": e.verifiedName(id),
			"quality_rating": "GREEN", "code_verification_status": "VERIFIED", "platform_type": "CLOUD_API",
		})
		return
	}
	e.mu.Lock()
	f, isMedia := e.media[id]
	e.mu.Unlock()
	if !isMedia {
		if _, ok := e.anyToken(r); !ok {
			writeGraphError(w, Fault{HTTPStatus: http.StatusUnauthorized, Code: codeAccessToken})
			return
		}
		writeGraphError(w, unknownObject(id, "get"))
		return
	}
	if fault, ok := e.authorize(r, f.phoneID); !ok {
		writeGraphError(w, fault)
		return
	}
	ext := e.now().Add(e.mediaTTL()).Unix()
	q := url.Values{"mid": {id}, "ext": {strconv.FormatInt(ext, 10)}, "hash": {e.mediaHash(id, ext)}}
	writeJSON(w, http.StatusOK, map[string]string{
		"messaging_product": "whatsapp",
		"url":               "http://" + r.Host + "/_lookaside/whatsapp_business/attachments/?" + q.Encode(),
		"mime_type":         f.mimeType,
		"sha256":            f.sha256Hex(),
		"file_size":         strconv.Itoa(len(f.data)),
		"id":                id,
	})
}

// handleMediaDownload serves a media download URL: it needs the bearer
// token of the file's phone number and works until the URL expires (404
// afterwards, as a fresh URL must be asked for).
func (e *Emulator) handleMediaDownload(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := q.Get("mid")
	ext, err := strconv.ParseInt(q.Get("ext"), 10, 64)
	e.mu.Lock()
	f, known := e.media[id]
	e.mu.Unlock()
	if !known || err != nil || !hmac.Equal([]byte(q.Get("hash")), []byte(e.mediaHash(id, ext))) {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	if fault, ok := e.authorize(r, f.phoneID); !ok {
		writeGraphError(w, fault)
		return
	}
	if e.now().Unix() > ext {
		http.Error(w, "URL signature expired", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", f.mimeType)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.data)
}

// handleMediaUpload serves POST /{version}/{phone-number-id}/media: a
// multipart upload with messaging_product, type and file.
func (e *Emulator) handleMediaUpload(w http.ResponseWriter, r *http.Request) {
	phoneID, ok := e.phoneCall(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		writeGraphError(w, badParam("The upload is not a multipart form: "+err.Error()))
		return
	}
	if r.FormValue("messaging_product") != "whatsapp" {
		writeGraphError(w, missingParam("The parameter messaging_product is required."))
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		writeGraphError(w, missingParam("The parameter file is required."))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxUploadBytes+1))
	if err != nil || len(data) == 0 || len(data) > maxUploadBytes {
		writeGraphError(w, badParam("The file is empty or larger than 100 MB."))
		return
	}
	mt := r.FormValue("type")
	if mt == "" {
		mt = hdr.Header.Get("Content-Type")
	}
	if _, _, err := mime.ParseMediaType(mt); err != nil {
		writeGraphError(w, badParam(fmt.Sprintf("Param type %q is not a MIME type.", mt)))
		return
	}
	f := &mediaFile{id: newMediaID(), phoneID: phoneID, mimeType: mt, filename: hdr.Filename, data: data}
	e.mu.Lock()
	e.media[f.id] = f
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"id": f.id})
}

func (e *Emulator) mediaTTL() time.Duration {
	if e.opts.MediaURLTTL > 0 {
		return e.opts.MediaURLTTL
	}
	return DefaultMediaURLTTL
}

func (e *Emulator) mediaHash(id string, ext int64) string {
	mac := hmac.New(sha256.New, []byte(e.opts.AppSecret))
	mac.Write([]byte(id + "|" + strconv.FormatInt(ext, 10)))
	return hex.EncodeToString(mac.Sum(nil))[:32]
}

func (e *Emulator) verifiedName(phoneID string) string {
	if n, ok := e.opts.VerifiedNames[phoneID]; ok && n != "" {
		return n
	}
	return "Recruitment Demo"
}

// anyToken reports whether the request carries any configured token.
func (e *Emulator) anyToken(r *http.Request) (string, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return "", false
	}
	for id, t := range e.opts.AccessTokens {
		if hmac.Equal([]byte(t), []byte(token)) {
			return id, true
		}
	}
	return "", false
}

// unknownObject is Graph's answer for an id the token cannot see.
func unknownObject(id, verb string) Fault {
	return Fault{HTTPStatus: http.StatusBadRequest, Code: codeInvalidParameter, Subcode: 33, Type: "GraphMethodException",
		Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", verb, id)}
}

// sampleFile is the content of a media message sent without content: a
// small real file of the type, so that pages can show it.
func sampleFile(kind, mimeType string) []byte {
	switch {
	case kind == "image" || (strings.HasPrefix(mimeType, "image/") && mimeType != "image/webp"):
		return sampleJPEG()
	case mimeType == "image/webp":
		// A 1×1 lossless WebP.
		return []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
	case kind == "document" || mimeType == "application/pdf":
		return samplePDF
	case kind == "audio":
		return []byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00waemu-voice-note")
	case kind == "video":
		return []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
	}
	return []byte("waemu sample " + kind)
}

// sampleJPEG draws a small picture: a sky, a field and a sun.
func sampleJPEG() []byte {
	const w, h = 240, 160
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 90, G: uint8(150 + y/4), B: 230, A: 255}
			if y > h*2/3 {
				c = color.RGBA{R: 70, G: uint8(140 + x/8), B: 60, A: 255}
			}
			if dx, dy := x-180, y-40; dx*dx+dy*dy < 400 {
				c = color.RGBA{R: 250, G: 210, B: 60, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	return b.Bytes()
}

// samplePDF is a one-page PDF that says "Curriculum vitae".
var samplePDF = []byte(`%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 52 >> stream
BT /F1 18 Tf 40 70 Td (Curriculum vitae) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R >>
%%EOF
`)
