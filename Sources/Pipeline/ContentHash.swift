import Crypto

/// The identity of a frame's content: a frame already stored with the same hash is skipped on resume,
/// whatever its file name.
public enum ContentHash {
    /// Lower-case hex SHA-256 of the bytes.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        let digest = SHA256.hash(data: bytes)
        return digest.map { byte in
            let s = String(byte, radix: 16)
            return byte < 16 ? "0" + s : s
        }.joined()
    }
}
