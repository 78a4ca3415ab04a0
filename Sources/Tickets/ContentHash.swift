import Crypto
import Foundation

/// The identity of a frame in the store: SHA-256 of its bytes (swift-crypto), as lowercase hex. A frame
/// already stored with the same hash is skipped on resume, whatever its file name.
public enum ContentHash {
    /// The SHA-256 digest of `bytes` as 64 lowercase hex digits.
    public static func sha256Hex(_ bytes: some DataProtocol) -> String {
        let digest = SHA256.hash(data: bytes)
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
