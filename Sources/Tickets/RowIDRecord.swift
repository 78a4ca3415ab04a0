import GRDB

/// A record whose id is its table's auto-incremented row id, which it takes when it is inserted.
public protocol RowIDRecord: MutablePersistableRecord {
    /// Database id (`nil` until inserted).
    var id: Int64? { get set }
}

extension RowIDRecord {
    /// Takes the row id the database gave the new row.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
