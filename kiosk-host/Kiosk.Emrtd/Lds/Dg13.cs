using System.Globalization;
using System.Text;
using Kiosk.Emrtd.Iso7816;

namespace Kiosk.Emrtd.Lds;

/// <summary>The Vietnamese DG13 fields (emrtd.md §3.3). Text keeps its diacritics (NFC); absent fields are null.</summary>
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
    /// <summary>Field 12 when it is not a date (e.g. "Không thời hạn", indefinite).</summary>
    public string? DateOfExpiryText { get; init; }
    public string? FatherName { get; init; }
    public string? MotherName { get; init; }
    public string? SpouseName { get; init; }
    public string? OldIdNumber { get; init; }
    /// <summary>Field 16: a 16-character string of unconfirmed meaning.</summary>
    public string? PersonalIdCode { get; init; }

    public override string ToString() => "Dg13 { … }"; // personal data stays out of logs

    /// <summary>
    /// Lenient parse of 6D { 30 { 02 version, 06 oid, 31 { 30 { 02 n, value… } … } } }: fields by number, not position;
    /// unknown numbers skipped; field 13 collects every string (father, mother) however deeply it is nested.
    /// </summary>
    public static Dg13 Parse(ReadOnlySpan<byte> file)
    {
        IReadOnlyList<Tlv> top = BerTlv.ParseAll(Asn.Unwrap(file, DataGroups.Tag(13), "DG13"));
        Tlv body = BerTlv.Find(top, 0x30) ?? throw new MalformedDataException("[DG13] no SEQUENCE");
        Tlv set = BerTlv.Find(BerTlv.ParseAll(body.Value), 0x31) ?? throw new MalformedDataException("[DG13] no SET of fields");
        var fields = new Dictionary<int, List<string>>();
        foreach (Tlv field in BerTlv.ParseAll(set.Value))
        {
            if (field.Tag != 0x30) continue;
            IReadOnlyList<Tlv> parts = BerTlv.ParseAll(field.Value);
            if (parts.Count == 0 || parts[0].Tag != 0x02) continue;
            if (parts[0].Value.Length is < 1 or > 2) throw new MalformedDataException("[DG13] field number out of range");
            int number = parts[0].Value.Aggregate(0, (n, b) => (n << 8) | b);
            var values = new List<string>();
            for (int i = 1; i < parts.Count; i++) CollectStrings(parts[i], values, 0);
            fields.TryAdd(number, values);
        }
        string? Get(int n) => fields.TryGetValue(n, out List<string>? v) && v.Count > 0 && v[0].Length > 0 ? v[0] : null;
        List<string> parents = fields.TryGetValue(13, out List<string>? p) ? p : [];
        string? expiryText = Get(12);
        DateOnly? expiry = ParseDate(expiryText, "expiry", lenient: true);
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
            PersonalIdCode = Get(16),
        };
    }

    private static void CollectStrings(Tlv tlv, List<string> into, int depth)
    {
        if (depth > 4) throw new MalformedDataException("[DG13] nesting too deep");
        switch (tlv.Tag)
        {
            case 0x0C: into.Add(Decode(tlv.Value, utf8: true)); break;
            case 0x13 or 0x16 or 0x14: into.Add(Decode(tlv.Value, utf8: false)); break;
            case 0x30 or 0x31:
                foreach (Tlv child in BerTlv.ParseAll(tlv.Value)) CollectStrings(child, into, depth + 1);
                break;
        }
    }

    private static string Decode(byte[] bytes, bool utf8)
    {
        try
        {
            string text = utf8 ? new UTF8Encoding(false, true).GetString(bytes) : Encoding.Latin1.GetString(bytes);
            return text.Trim().Normalize(NormalizationForm.FormC);
        }
        catch (Exception exception) when (exception is DecoderFallbackException or ArgumentException)
        {
            throw new MalformedDataException("[DG13] a text field is not valid UTF-8");
        }
    }

    private static DateOnly? ParseDate(string? text, string field, bool lenient)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, ["dd/MM/yyyy", "ddMMyyyy", "d/M/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date))
            return date;
        if (lenient) return null;
        throw new MalformedDataException($"[DG13] date of {field} is not dd/mm/yyyy");
    }
}
