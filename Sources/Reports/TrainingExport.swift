import Codecs
import Findings
import Foundation
import ImagingCore
import Tickets

/// `pavewatch export --training DIR`: the findings of reviewed tickets as labelled image crops, one folder
/// per class (`crack/`, `leak/`, `background/`), the layout `pavewatch train` reads as a `folder:DIR` source.
/// Tickets a person confirmed (now `confirmed`, `dispatched`, `fixed`, `verified` or `reopened`) give their
/// class; `rejected` ones (false positives) give `background`. Each crop is the finding's box widened to
/// at least `minSide` pixels, re-read from the frame recorded in the store.
public enum TrainingExport {
    /// What an export wrote.
    public struct Summary: Sendable, Hashable {
        /// Files written per label folder.
        public var written: [String: Int] = [:]
        /// Findings whose frame could not be read.
        public var unreadable = 0
    }

    /// The label folder of a ticket, or `nil` when nobody has reviewed it.
    public static func label(of ticket: Ticket) -> String? {
        let human = ticket.source == "survey"
        switch ticket.status {
        case .rejected: return human ? "background" : nil
        case .confirmed, .dispatched, .fixed, .verified, .reopened: return ticket.defectClass.rawValue
        case .new: return nil
        }
    }

    /// Writes the crops.
    /// - Parameters:
    ///   - directory: created if missing, with `crack`, `leak` and `background` inside.
    ///   - store: the ticket store.
    ///   - minSide: smallest crop side in pixels (the classifier's tile is 64).
    /// - Throws: file-system and store errors; unreadable frames are counted, not thrown.
    public static func write(to directory: String, store: any TicketStore, minSide: Int = 96) async throws -> Summary {
        let root = URL(fileURLWithPath: directory)
        for name in ["crack", "leak", "background"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        let frames = Dictionary(try await store.frames().compactMap { f in f.id.map { ($0, f) } }, uniquingKeysWith: { a, _ in a })
        var summary = Summary()
        var decoded: (path: String, image: PixelBuffer)?
        for ticket in try await store.tickets(TicketQuery(orderByPriority: false)) {
            guard let id = ticket.id, let label = label(of: ticket) else { continue }
            for rec in try await store.findings(ticketId: id) {
                guard let fid = rec.id, let frame = frames[rec.frameId] else { continue }
                let image: PixelBuffer
                if let d = decoded, d.path == frame.path {
                    image = d.image
                } else if let img = try? ImageDecoder.decode(path: frame.path, options: DecodeOptions(format: .rgb8)).pixels {
                    image = img
                    decoded = (frame.path, img)
                } else {
                    summary.unreadable += 1
                    continue
                }
                let b = rec.finding.bbox
                let side = max(minSide, b.width, b.height)
                let w = min(image.width, max(b.width, side)), h = min(image.height, max(b.height, side))
                let x0 = max(0, min(image.width - w, b.x + b.width / 2 - w / 2))
                let y0 = max(0, min(image.height - h, b.y + b.height / 2 - h / 2))
                guard w > 0, h > 0 else { continue }
                let crop = image.region(Rect(x: x0, y: y0, width: w, height: h)).copy()
                let png = try ImageEncoder.png(crop)
                try Data(png).write(to: root.appendingPathComponent("\(label)/t\(id)-f\(fid).png"), options: .atomic)
                summary.written[label, default: 0] += 1
            }
        }
        return summary
    }
}
