import Tickets

/// Small helpers for server-rendered HTML: every text that comes from data goes through ``HTML/escape(_:)``.
enum HTML {
    /// Escapes `& < > " '` for element content and quoted attribute values (``XMLText/escape(_:)``, which
    /// also replaces control characters).
    static func escape(_ s: some StringProtocol) -> String { XMLText.escape(String(s)) }

    /// Percent-encodes a query value.
    static func query(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let scalar = Unicode.Scalar(b)
            let plain = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || "-._~".unicodeScalars.contains(scalar)
            if plain { out.unicodeScalars.append(scalar) } else { out += "%" + hex2(b) }
        }
        return out
    }

    static func hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }

    /// A number with a format, or an en dash when absent.
    static func num(_ d: Double?, _ format: String) -> String {
        guard let d, d.isFinite else { return "–" }
        return String(format: format, d)
    }

    /// Colours of the ASTM D6433 ratings on the condition map, and of units not surveyed.
    static let ratingColours: [(rating: String, css: String)] = [
        ("good", "#2e7d32"), ("satisfactory", "#7cb342"), ("fair", "#fdd835"), ("poor", "#fb8c00"),
        ("very poor", "#e53935"), ("serious", "#b71c1c"), ("failed", "#4a148c"), ("not surveyed", "#bdbdbd"),
    ]

    /// The style sheet of every page (bundled in the binary).
    static let css = """
    body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fff}
    tr.selected{outline:3px solid #2563eb;background:#eef4ff} img.thumb{max-width:96px;max-height:64px}
    kbd{border:1px solid #999;border-radius:3px;padding:0 4px;font-size:90%}
    .side-by-side{display:flex;gap:16px;flex-wrap:wrap} figure{margin:0 0 12px} figure img{max-width:100%}
    @media (max-width:640px){header{flex-wrap:wrap;gap:8px} main{padding:8px} table{display:block;overflow-x:auto}
    .actions form{display:block;margin:8px 0} button,input,select{font-size:16px;min-height:44px} #leaflet,#frame-viewer{height:60vh!important}}
    header{background:#24323f;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center}
    header a{color:#fff;text-decoration:none;font-weight:600} header .user{margin-left:auto;font-weight:400}
    header form{display:inline} main{padding:12px 16px}
    table{border-collapse:collapse;margin:8px 0} td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
    th{background:#f4f4f4} th a{color:#222} .sev{color:#fff;padding:1px 6px;border-radius:3px;text-shadow:0 0 2px #000}
    form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;background:#f7f7f7;padding:8px;border:1px solid #e4e4e4}
    form.filters label{display:flex;flex-direction:column;font-size:12px} .actions form{display:inline-block;margin:0 6px 6px 0}
    button{cursor:pointer} .err{color:#a00;font-weight:600} .ok{color:#070} svg{border:1px solid #ccc;background:#fafafa} .leaflet-container svg{border:0;background:none}
    img.crop{max-width:480px;border:1px solid #ccc} img.thumb{max-width:160px} .pager a{margin-right:8px}
    """
}
