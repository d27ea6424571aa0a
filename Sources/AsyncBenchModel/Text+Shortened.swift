extension String {
    /// The text as a message quotes a value the user gave: whole up to `limit` characters, else
    /// its start and end around `…` and its length, so a long value cannot fill the terminal.
    public func shortened(_ limit: Int = 120) -> String {
        guard count > limit else { return self }
        let keep = max(limit / 2 - 10, 8)
        return "\(prefix(keep))…\(suffix(keep)) (\(count) characters)"
    }
}
