using System.Formats.Asn1;
using System.Text;
using Kiosk.Emrtd.Lds;

namespace Kiosk.Emrtd.PassiveAuthentication;

/// <summary>
/// A master list whose CMS signature or signer chain does not verify. None of its certificates is trusted.
/// </summary>
public sealed class MasterListRejectedException(string message) : EmrtdException(message);

/// <summary>
/// The country signing CA certificates passive authentication trusts: a folder of DER or PEM files, certificates given
/// in code, or the certificates of an ICAO master list (CMS SignedData of CscaMasterList). Files that are no certificate
/// are skipped and named in <see cref="Skipped"/>.
/// <para>
/// A master list is only as trustworthy as its signer (ICAO 9303-12 §8/§9): it is signed by a Master List Signer whose
/// certificate a CSCA issued, and the receiving state must trust that CSCA by some other means. So a list is accepted
/// only when its signature verifies (signed attributes: content type id-icao-cscaMasterList and the message digest of
/// the list) and its signer's certificate is signed by an <b>anchor</b>: a CSCA the operator put in the store directly
/// (a PEM/DER file or <see cref="FromCertificates"/>), not one taken from another master list. A list whose signer is
/// vouched for only by a CSCA inside the same list proves nothing (anyone can make one) and is rejected, unless the
/// caller asks to accept such lists; then it is accepted with a line in <see cref="Warnings"/>. The signer
/// certificate's dates are not checked: a list is a snapshot, and each CSCA's own dates count when a document chains
/// to it.
/// </para>
/// </summary>
public sealed class CscaTrustStore
{
    public const string IdIcaoCscaMasterList = "2.23.136.1.1.2";
    private const int MaxFileBytes = 16 * 1024 * 1024;
    private readonly List<Certificate> certificates = [];
    private readonly List<Certificate> anchors = [];
    private readonly List<string> skipped = [];
    private readonly List<string> warnings = [];

    public IReadOnlyList<Certificate> Certificates => certificates;
    public IReadOnlyList<string> Skipped => skipped;
    /// <summary>Why a master list was rejected, or that one was accepted on its own word: for the operator to read.</summary>
    public IReadOnlyList<string> Warnings => warnings;

    public static CscaTrustStore Empty() => new();

    public static CscaTrustStore FromCertificates(IEnumerable<byte[]> derCertificates)
    {
        var store = new CscaTrustStore();
        foreach (byte[] der in derCertificates) store.AddAnchor(Certificate.Parse(der));
        return store;
    }

    /// <summary>
    /// Every file of the folder (not recursive): PEM (one or more CERTIFICATE blocks), DER, or a master list (*.ml).
    /// Master lists are read after the certificate files, so a CSCA file vouches for a list whatever the names' order.
    /// A rejected master list is skipped, with the reason in <see cref="Warnings"/>.
    /// </summary>
    /// <param name="acceptSelfVouchedMasterLists">Also accept master lists whose signer chains only to a CSCA inside
    /// the list itself (each with a warning). Off by default: see the class remarks.</param>
    public static CscaTrustStore FromFolder(string folder, bool acceptSelfVouchedMasterLists = false)
    {
        var store = new CscaTrustStore();
        static bool IsMasterList(string path) => Path.GetExtension(path).Equals(".ml", StringComparison.OrdinalIgnoreCase);
        foreach (string path in Directory.EnumerateFiles(folder).OrderBy(IsMasterList).ThenBy(path => path, StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes) { store.skipped.Add(info.Name); continue; }
            try { store.Add(File.ReadAllBytes(path), IsMasterList(path), acceptSelfVouchedMasterLists); }
            catch (MasterListRejectedException exception)
            {
                store.skipped.Add(info.Name);
                store.warnings.Add($"master list {info.Name} rejected: {exception.Message}");
            }
            catch (EmrtdException) { store.skipped.Add(info.Name); }
        }
        return store;
    }

    /// <summary>Adds the certificates of one file's bytes (PEM, DER or master list).</summary>
    public void Add(byte[] bytes, bool isMasterList = false, bool acceptSelfVouchedMasterList = false)
    {
        if (isMasterList) { AddMasterList(bytes, acceptSelfVouchedMasterList); return; }
        string? text = TryAscii(bytes);
        if (text is not null && text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            foreach (byte[] der in PemCertificates(text)) AddAnchor(Certificate.Parse(der));
            return;
        }
        AddAnchor(Certificate.Parse(bytes));
    }

    /// <summary>
    /// Verifies an ICAO master list, ContentInfo(SignedData(CscaMasterList { version, SET OF Certificate })), and
    /// trusts its CSCA certificates (see the class remarks for when). Throws <see cref="MasterListRejectedException"/>
    /// when the signature or the signer's chain does not verify, <see cref="MalformedDataException"/> when the bytes
    /// are no master list; either way nothing of the list is added.
    /// </summary>
    public void AddMasterList(byte[] masterList, bool acceptSelfVouched = false)
    {
        (string type, byte[] content, List<byte[]> signedDataCertificates, List<SodSignerInfo> signers) = EfSod.ReadSignedData(masterList, "MasterList");
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
        var listed = new List<Certificate>();
        int unreadable = 0;
        foreach (byte[] der in list)
        {
            try { listed.Add(Certificate.Parse(der)); }
            catch (EmrtdException) { unreadable++; }
        }

        if (signers.Count != 1) throw new MasterListRejectedException($"{signers.Count} signers; a master list has one");
        Certificate signer = VerifySignature(content, signers[0], signedDataCertificates);
        Certificate? anchor = anchors.FirstOrDefault(csca => Issued(csca, signer));
        if (anchor is null)
        {
            Certificate? inList = listed.FirstOrDefault(csca => csca.IsSelfIssued && Issued(csca, signer));
            if (inList is null)
                throw new MasterListRejectedException($"its signer {signer.SubjectName} is not issued by any trusted CSCA (issuer {signer.IssuerName})");
            if (!acceptSelfVouched)
                throw new MasterListRejectedException($"its signer {signer.SubjectName} is vouched for only by {inList.SubjectName} from the list itself; "
                    + "put that CSCA's certificate in the trust folder to accept the list");
            warnings.Add($"master list signed by {signer.SubjectName} accepted on its own word: {inList.SubjectName} from the list itself vouches for it, no trusted CSCA does");
        }
        certificates.AddRange(listed);
        for (int i = 0; i < unreadable; i++) skipped.Add("a master-list entry");
    }

    private void AddAnchor(Certificate certificate)
    {
        certificates.Add(certificate);
        anchors.Add(certificate);
    }

    /// <summary>The signer's certificate, once the CMS signature over the list verifies with it.</summary>
    private static Certificate VerifySignature(byte[] content, SodSignerInfo signerInfo, List<byte[]> signedDataCertificates)
    {
        Certificate? signer = PassiveAuthenticator.FindSigner(signerInfo, signedDataCertificates);
        if (signer is null) throw new MasterListRejectedException("it holds no certificate for its signer");
        // Without signed attributes nothing binds the content type to the signature: ICAO lists always carry them.
        if (signerInfo.SignedAttributes is null) throw new MasterListRejectedException("its signature has no signed attributes");
        if (signerInfo.ContentType != IdIcaoCscaMasterList)
            throw new MasterListRejectedException("the signed content-type attribute is not id-icao-cscaMasterList");
        System.Security.Cryptography.HashAlgorithmName digest = HashAlgorithms.FromOid(signerInfo.DigestAlgorithm.Oid)
            ?? throw new MasterListRejectedException($"digest algorithm {signerInfo.DigestAlgorithm.Oid} is not supported");
        if (signerInfo.MessageDigest is null || !HashAlgorithms.Hash(digest, content).AsSpan().SequenceEqual(signerInfo.MessageDigest))
            throw new MasterListRejectedException("the message digest does not match the list's content");
        bool verifies;
        try
        {
            verifies = SignatureVerifier.Verify(signerInfo.SignatureAlgorithm, signer.PublicKey(), signerInfo.SignedAttributes, signerInfo.Signature,
                signerInfo.DigestAlgorithm);
        }
        catch (EmrtdException exception) { throw new MasterListRejectedException($"its signature cannot be checked: {exception.Message}"); }
        if (!verifies) throw new MasterListRejectedException($"its signature does not verify with the key of {signer.SubjectName}");
        return signer;
    }

    /// <summary>True when <paramref name="csca"/> is named as the issuer of <paramref name="certificate"/> and its key signed it.</summary>
    private static bool Issued(Certificate csca, Certificate certificate)
    {
        if (!Certificate.SameName(csca.Subject, certificate.Issuer)) return false;
        try { return SignatureVerifier.Verify(certificate.SignatureAlgorithm, csca.PublicKey(), certificate.TbsCertificate, certificate.Signature); }
        catch (EmrtdException) { return false; }
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
