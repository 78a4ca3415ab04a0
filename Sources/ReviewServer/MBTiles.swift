import Foundation
import GRDB

/// An offline base map: an MBTiles file (SQLite; tables `metadata` and `tiles`, rows in the TMS scheme, so XYZ row
/// `y` is stored as `2^z − 1 − y`), read with the SQLite Pavewatch already ships. `pavewatch serve --tiles FILE`
/// serves it as `/tiles/{z}/{x}/{y}` to the map page, so the map works with no internet.
public final class MBTiles: Sendable {
    /// The file.
    public let path: String
    /// Content type of the tiles (from the `format` metadata: png, jpg, webp).
    public let contentType: String
    /// `name` and `attribution` from the metadata, when present.
    public let name: String?, attribution: String?
    private let queue: DatabaseQueue

    /// Errors opening a tile file.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Opens `path` read-only.
    /// - Throws: ``Failure`` naming the file when it is missing, not SQLite, or not an MBTiles file (no `tiles`
    ///   table), or its tiles are vector tiles (pbf), which the map cannot draw.
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "\(path): no such tile file (give an .mbtiles file made by a tile tool, e.g. tippecanoe or GDAL)")
        }
        var config = Configuration()
        config.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            let (meta, hasTiles) = try queue.read { db -> ([String: String], Bool) in
                let tiles = try db.tableExists("tiles")
                var meta: [String: String] = [:]
                if try db.tableExists("metadata") {
                    for row in try Row.fetchAll(db, sql: "SELECT name, value FROM metadata") {
                        if let n: String = row["name"], let v: String = row["value"] { meta[n] = v }
                    }
                }
                return (meta, tiles)
            }
            guard hasTiles else { throw Failure(description: "\(path): not an MBTiles file (no tiles table)") }
            switch (meta["format"] ?? "png").lowercased() {
            case "png": contentType = "image/png"
            case "jpg", "jpeg": contentType = "image/jpeg"
            case "webp": contentType = "image/webp"
            case let other: throw Failure(description: "\(path): tiles of format \(other) cannot be drawn (raster png, jpg or webp needed)")
            }
            self.queue = queue
            self.path = path
            name = meta["name"]
            attribution = meta["attribution"]
        } catch let f as Failure {
            throw f
        } catch {
            throw Failure(description: "\(path): cannot read as MBTiles: \(error)")
        }
    }

    /// The tile at XYZ coordinates, or nil when the file has none there.
    public func tile(z: Int, x: Int, y: Int) throws -> [UInt8]? {
        guard z >= 0 && z <= 30, x >= 0, y >= 0, x < 1 << z, y < 1 << z else { return nil }
        let row = (1 << z) - 1 - y
        return try queue.read { db in
            try Data.fetchOne(db, sql: "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                              arguments: [z, x, row]).map { [UInt8]($0) }
        }
    }
}
