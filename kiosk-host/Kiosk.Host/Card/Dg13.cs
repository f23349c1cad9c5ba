using System.Globalization;
using System.Text;

namespace Kiosk.Host.Card;

/// <summary>The Vietnamese DG13 ("optional details") fields the kiosk uses. See docs: emrtd.md §3.3.</summary>
public sealed record Dg13
{
    public string? IdNumber { get; init; }
    public string? FullName { get; init; }
    public DateOnly? DateOfBirth { get; init; }
    public string? Sex { get; init; }
    public string? Nationality { get; init; }
    public string? Ethnicity { get; init; }
    public string? Religion { get; init; }
    public string? PlaceOfOrigin { get; init; }
    public string? PlaceOfResidence { get; init; }
    public string? IdentifyingMarks { get; init; }
    public DateOnly? DateOfIssue { get; init; }
    public DateOnly? DateOfExpiry { get; init; }
    public string? DateOfExpiryText { get; init; }
    public string? FatherName { get; init; }
    public string? MotherName { get; init; }
    public string? SpouseName { get; init; }
    public string? OldIdNumber { get; init; }
}

/// <summary>
/// Lenient DG13 parser: <c>6D { 30 { 02 version, 06 oid, 31 { 30 { 02 n, value… } … } } }</c>. Fields are found by
/// their number, not their position; unknown numbers are skipped; field 13 collects every UTF8String (father, mother)
/// whether they sit directly in the field or in a nested SEQUENCE.
/// </summary>
public static class Dg13Parser
{
    private const int TagDg13 = 0x6D, TagSequence = 0x30, TagSet = 0x31, TagInteger = 0x02;
    private const int TagUtf8 = 0x0C, TagPrintable = 0x13, TagIa5 = 0x16, TagT61 = 0x14;

    public static Dg13 Parse(ReadOnlyMemory<byte> file)
    {
        var outer = BerTlv.ReadExpected(file, TagDg13);
        var seq = BerTlv.ReadAll(outer.Value);
        var body = BerTlv.Find(seq, TagSequence)
            ?? throw new CardDataException(CardDataError.BadDg13, "DG13: no SEQUENCE");
        var set = BerTlv.Find(body.Children(), TagSet)
            ?? throw new CardDataException(CardDataError.BadDg13, "DG13: no SET of fields");

        var fields = new Dictionary<int, List<string>>();
        foreach (var field in set.Children())
        {
            if (field.Tag != TagSequence) continue;
            var parts = field.Children();
            if (parts.Count == 0 || parts[0].Tag != TagInteger) continue;
            var number = ReadSmallInteger(parts[0].Value.Span);
            var values = new List<string>();
            for (var i = 1; i < parts.Count; i++) CollectStrings(parts[i], values, depth: 0);
            if (!fields.ContainsKey(number)) fields[number] = values;
        }

        string? Get(int n) => fields.TryGetValue(n, out var v) && v.Count > 0 && v[0].Length > 0 ? v[0] : null;
        var parents = fields.TryGetValue(13, out var p) ? p : [];
        var expiryText = Get(12);
        var expiry = ParseDate(expiryText, "expiry", lenient: true);

        return new Dg13
        {
            IdNumber = Get(1),
            FullName = Get(2),
            DateOfBirth = ParseDate(Get(3), "birth", lenient: false),
            Sex = Get(4),
            Nationality = Get(5),
            Ethnicity = Get(6),
            Religion = Get(7),
            PlaceOfOrigin = Get(8),
            PlaceOfResidence = Get(9),
            IdentifyingMarks = Get(10),
            DateOfIssue = ParseDate(Get(11), "issue", lenient: false),
            DateOfExpiry = expiry,
            DateOfExpiryText = expiry is null ? expiryText : null,
            FatherName = parents.Count > 0 && parents[0].Length > 0 ? parents[0] : null,
            MotherName = parents.Count > 1 && parents[1].Length > 0 ? parents[1] : null,
            SpouseName = Get(14),
            OldIdNumber = Get(15),
        };
    }

    private static void CollectStrings(Tlv tlv, List<string> into, int depth)
    {
        if (depth > 4) throw new CardDataException(CardDataError.BadDg13, "DG13: nesting too deep");
        switch (tlv.Tag)
        {
            case TagUtf8:
                into.Add(Decode(tlv.Value.Span, utf8: true));
                break;
            case TagPrintable or TagIa5 or TagT61:
                into.Add(Decode(tlv.Value.Span, utf8: false));
                break;
            case TagSequence or TagSet:
                foreach (var child in tlv.Children()) CollectStrings(child, into, depth + 1);
                break;
        }
    }

    private static string Decode(ReadOnlySpan<byte> bytes, bool utf8)
    {
        try
        {
            var text = utf8 ? new UTF8Encoding(false, true).GetString(bytes) : Encoding.Latin1.GetString(bytes);
            return text.Trim().Normalize(NormalizationForm.FormC);
        }
        catch (DecoderFallbackException)
        {
            throw new CardDataException(CardDataError.BadDg13, "DG13: invalid UTF-8 in a text field");
        }
    }

    private static int ReadSmallInteger(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length is < 1 or > 2) throw new CardDataException(CardDataError.BadDg13, "DG13: field number out of range");
        var n = 0;
        foreach (var b in bytes) n = (n << 8) | b;
        return n;
    }

    /// <summary>dd/mm/yyyy (also ddmmyyyy). Lenient: text that is not a date gives null instead of an error.</summary>
    private static DateOnly? ParseDate(string? text, string field, bool lenient)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, ["dd/MM/yyyy", "ddMMyyyy", "d/M/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return d;
        if (lenient) return null;
        throw new CardDataException(CardDataError.BadDate, $"DG13: date of {field} is not dd/mm/yyyy");
    }
}
