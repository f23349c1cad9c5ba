using System.Formats.Asn1;
using System.Text;
using Kiosk.Emrtd.Lds;

namespace Kiosk.Emrtd.PassiveAuthentication;

/// <summary>
/// The country signing CA certificates passive authentication trusts: a folder of DER or PEM files, certificates given
/// in code, or the certificates of an ICAO master list (CMS SignedData of CscaMasterList). Files that are no certificate
/// are skipped and named in <see cref="Skipped"/>.
/// </summary>
public sealed class CscaTrustStore
{
    public const string IdIcaoCscaMasterList = "2.23.136.1.1.2";
    private const int MaxFileBytes = 16 * 1024 * 1024;
    private readonly List<Certificate> certificates = [];
    private readonly List<string> skipped = [];

    public IReadOnlyList<Certificate> Certificates => certificates;
    public IReadOnlyList<string> Skipped => skipped;

    public static CscaTrustStore Empty() => new();

    public static CscaTrustStore FromCertificates(IEnumerable<byte[]> derCertificates)
    {
        var store = new CscaTrustStore();
        foreach (byte[] der in derCertificates) store.certificates.Add(Certificate.Parse(der));
        return store;
    }

    /// <summary>Every file of the folder (not recursive): PEM (one or more CERTIFICATE blocks), DER, or a master list (*.ml).</summary>
    public static CscaTrustStore FromFolder(string folder)
    {
        var store = new CscaTrustStore();
        foreach (string path in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes) { store.skipped.Add(info.Name); continue; }
            try { store.Add(File.ReadAllBytes(path), isMasterList: info.Extension.Equals(".ml", StringComparison.OrdinalIgnoreCase)); }
            catch (EmrtdException) { store.skipped.Add(info.Name); }
        }
        return store;
    }

    /// <summary>Adds the certificates of one file's bytes (PEM, DER or master list).</summary>
    public void Add(byte[] bytes, bool isMasterList = false)
    {
        if (isMasterList) { AddMasterList(bytes); return; }
        string? text = TryAscii(bytes);
        if (text is not null && text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            foreach (byte[] der in PemCertificates(text)) certificates.Add(Certificate.Parse(der));
            return;
        }
        certificates.Add(Certificate.Parse(bytes));
    }

    /// <summary>
    /// The CSCA certificates of an ICAO master list: ContentInfo(SignedData(CscaMasterList { version, SET OF Certificate })).
    /// The master list's own signature is not checked here: only load lists from a source you already trust.
    /// </summary>
    public void AddMasterList(byte[] masterList)
    {
        (string type, byte[] content, _, _) = EfSod.ReadSignedData(masterList, "MasterList");
        if (type != IdIcaoCscaMasterList) throw new MalformedDataException($"[MasterList] content type {type}");
        List<byte[]> list = Asn.Parse("MasterList", () =>
        {
            AsnReader sequence = new AsnReader(content, AsnEncodingRules.BER).ReadSequence();
            Asn.ReadSmallInteger(sequence, "MasterList", 5);
            AsnReader set = sequence.ReadSetOf(skipSortOrderValidation: true);
            var result = new List<byte[]>();
            while (set.HasData) result.Add(set.ReadEncodedValue().ToArray());
            return result;
        });
        foreach (byte[] der in list)
        {
            try { certificates.Add(Certificate.Parse(der)); }
            catch (EmrtdException) { skipped.Add("a master-list entry"); }
        }
    }

    private static IEnumerable<byte[]> PemCertificates(string text)
    {
        const string begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----";
        int at = 0;
        while ((at = text.IndexOf(begin, at, StringComparison.Ordinal)) >= 0)
        {
            int stop = text.IndexOf(end, at, StringComparison.Ordinal);
            if (stop < 0) throw new MalformedDataException("[PEM] unterminated certificate");
            string body = text[(at + begin.Length)..stop];
            byte[] der;
            try { der = Convert.FromBase64String(string.Concat(body.Where(c => !char.IsWhiteSpace(c)))); }
            catch (FormatException) { throw new MalformedDataException("[PEM] bad base64"); }
            yield return der;
            at = stop + end.Length;
        }
    }

    private static string? TryAscii(byte[] bytes)
    {
        foreach (byte b in bytes.AsSpan(0, Math.Min(bytes.Length, 64)))
            if (b > 0x7E || (b < 0x20 && b is not (0x09 or 0x0A or 0x0D))) return null;
        return Encoding.ASCII.GetString(bytes);
    }
}
