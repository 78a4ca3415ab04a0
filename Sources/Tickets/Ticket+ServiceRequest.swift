import Findings
import Foundation

extension Ticket {
    /// A new ticket for an Open311 service request (not yet stored), ranked by `model`. Measurements given
    /// as attributes (`width_mm`, `length_m`, `area_m2`, `subtype`, as a forwarding Pavewatch sends them)
    /// become its measurements.
    /// The attribute that keeps a request's GeoReport `address_id`.
    public static let addressIdAttribute = "address_id"

    /// A ticket for an Open311 service request: the input's class, position (none for a request located by address
    /// only: a reviewer places it), text, photo link and attributes, ranked by `model`.
    public static func serviceRequest(_ input: ServiceRequestInput, model: PriorityModel, at now: Date) -> Ticket {
        var t = Ticket(defectClass: input.defectClass, latitude: input.latitude, longitude: input.longitude,
                       confidence: 1, source: "open311", at: now)
        t.details = input.description
        t.mediaUrl = input.mediaUrl
        t.address = input.address
        var attributes = input.attributes
        if let id = input.addressId { attributes[Self.addressIdAttribute] = id }
        t.attributes = attributes.isEmpty ? nil : attributes
        t.externalKey = input.idempotencyKey
        let number = { (k: String) in input.attributes[k].flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil } }
        t.subtype = input.attributes["subtype"]
        t.widthMm = number("width_mm")
        t.lengthM = number("length_m")
        t.areaM2 = number("area_m2")
        t.firstWidthMm = t.widthMm
        t.firstLengthM = t.lengthM
        t.firstAreaM2 = t.areaM2
        model.rank(&t)
        return t
    }
}
