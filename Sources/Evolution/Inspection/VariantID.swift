/// Variant ids as people type and read them: `v12` or `12`.
public enum VariantID {
    public static func parse(_ text: String) -> Int? {
        let digits = text.hasPrefix("v") || text.hasPrefix("V") ? String(text.dropFirst()) : text
        guard let id = Int(digits), id >= 0 else { return nil }
        return id
    }

    public static func format(_ id: Int?) -> String {
        id.map { "v\($0)" } ?? "-"
    }
}
