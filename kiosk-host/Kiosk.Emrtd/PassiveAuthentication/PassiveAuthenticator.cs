using System.Formats.Asn1;
using Kiosk.Emrtd.Lds;

namespace Kiosk.Emrtd.PassiveAuthentication;

/// <summary>
/// Valid: the data groups match the SOD, the SOD's signature verifies, its document signer chains to a trusted CSCA that
/// is valid now, and the document signer certificate was valid when it signed (see <see cref="PassiveAuthenticator"/>).
/// Invalid: the chip's data contradicts its own signature (a hash, the message digest or the signature does not verify,
/// or the SOD is malformed). Untrusted: the signature is intact but its signer cannot be traced to a trusted, currently
/// valid CSCA, or its certificate was not valid when it signed (or that cannot be shown).
/// </summary>
public enum PassiveAuthenticationStatus { Valid, Invalid, Untrusted }

/// <summary>
/// The outcome with every reason it is not valid (names and dates only: no personal data, no keys). <see cref="Notes"/>
/// says what is worth knowing but does not lower the status (a document signer certificate that has expired since it
/// signed).
/// </summary>
public sealed record PassiveAuthenticationResult(
    PassiveAuthenticationStatus Status,
    IReadOnlyList<string> Failures,
    IReadOnlyList<int> VerifiedDataGroups,
    string? DocumentSigner,
    string? Csca)
{
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The document signer certificate's issuer (the CSCA it names), when the SOD holds one.</summary>
    public string? DocumentSignerIssuer { get; init; }

    /// <summary>The document signer certificate's serial number (hex, as encoded), when the SOD holds one.</summary>
    public string? DocumentSignerSerialNumber { get; init; }
}

/// <summary>
/// Passive authentication (Part 11 §5.1, emrtd.md §2.2) as one pure function: bytes, trust store and clock in.
/// <para>
/// Dates follow the chain model eMRTD inspection uses (ICAO 9303-12 §5: a document signer's key signs for a few months,
/// while its certificate must last as long as the documents it signed; BSI TR-03110 checks the signer at signing time):
/// the document signer certificate must have been valid <b>when it signed</b>, not necessarily today. The signing time is
/// the SOD's signingTime attribute, else the date of issue in DG13 (Vietnam's card, emrtd.md §3.3) when DG13 matched its
/// hash. A certificate valid then but expired now is <see cref="PassiveAuthenticationStatus.Valid"/> with a note; one not
/// valid then is untrusted, and so is an expired one when no signing time is known. The CSCA must be valid now: its
/// certificate outlives every document signer it issued, so an expired CSCA means the country retired it.
/// </para>
/// </summary>
public static class PassiveAuthenticator
{
    /// <param name="efSod">EF.SOD as read (outer tag 77 included).</param>
    /// <param name="dataGroups">The data groups read, by number, each the full file with its outer tag.</param>
    /// <param name="trustStore">The CSCA certificates to chain to.</param>
    /// <param name="now">The time at which certificates must be valid (injected: no clock here).</param>
    public static PassiveAuthenticationResult Verify(ReadOnlySpan<byte> efSod, IReadOnlyDictionary<int, byte[]> dataGroups,
        CscaTrustStore trustStore, DateTimeOffset now)
    {
        var invalid = new List<string>();
        var untrusted = new List<string>();
        var notes = new List<string>();
        var verified = new List<int>();
        EfSod sod;
        try { sod = EfSod.Parse(efSod); }
        catch (EmrtdException exception)
        {
            return new PassiveAuthenticationResult(PassiveAuthenticationStatus.Invalid, [$"EF.SOD is malformed: {exception.Message}"], [], null, null);
        }

        CheckDataGroups(sod, dataGroups, invalid, verified);
        Certificate? signer = CheckSignature(sod, invalid);
        Certificate? csca = null;
        if (signer is not null)
        {
            CheckSignerDates(signer, SigningTime(sod, dataGroups, verified, invalid), now, untrusted, notes);
            csca = CheckChain(signer, trustStore, now, untrusted);
        }

        PassiveAuthenticationStatus status = invalid.Count > 0 ? PassiveAuthenticationStatus.Invalid
            : untrusted.Count > 0 ? PassiveAuthenticationStatus.Untrusted
            : PassiveAuthenticationStatus.Valid;
        return new PassiveAuthenticationResult(status, [.. invalid, .. untrusted], verified, signer?.SubjectName, csca?.SubjectName)
        {
            Notes = notes,
            DocumentSignerIssuer = signer?.IssuerName,
            DocumentSignerSerialNumber = signer is null ? null : Convert.ToHexString(signer.SerialNumber),
        };
    }

    private static void CheckDataGroups(EfSod sod, IReadOnlyDictionary<int, byte[]> dataGroups, List<string> invalid, List<int> verified)
    {
        if (sod.SecurityObject.HashAlgorithmName is not { } hash)
        {
            invalid.Add($"SOD hash algorithm {sod.SecurityObject.HashAlgorithm.Oid} is not supported");
            return;
        }
        foreach ((int number, byte[] content) in dataGroups.OrderBy(pair => pair.Key))
        {
            if (!sod.SecurityObject.DataGroupHashes.TryGetValue(number, out byte[]? expected))
            {
                invalid.Add($"DG{number} is not listed in the SOD");
                continue;
            }
            byte[] actual = HashAlgorithms.Hash(hash, content);
            if (actual.AsSpan().SequenceEqual(expected)) verified.Add(number);
            else invalid.Add($"DG{number} hash does not match the SOD");
        }
    }

    private static Certificate? CheckSignature(EfSod sod, List<string> invalid)
    {
        SodSignerInfo signerInfo = sod.SignerInfos[0];
        Certificate? signer = FindSigner(signerInfo, sod.Certificates);
        if (signer is null)
        {
            invalid.Add("the SOD holds no document signer certificate for its SignerInfo");
            return null;
        }
        try
        {
            SubjectPublicKey key = signer.PublicKey();
            byte[] signed;
            if (signerInfo.SignedAttributes is not null)
            {
                HashAlgorithmNameOrFail(signerInfo.DigestAlgorithm, out var digestName);
                if (signerInfo.ContentType is not null && signerInfo.ContentType != sod.EContentType)
                    invalid.Add("the signed content-type attribute differs from the SOD's content type");
                if (signerInfo.MessageDigest is null)
                    invalid.Add("the signed attributes have no message digest");
                else if (!HashAlgorithms.Hash(digestName, sod.EContent).AsSpan().SequenceEqual(signerInfo.MessageDigest))
                    invalid.Add("the message digest does not match the LDS security object");
                signed = signerInfo.SignedAttributes;
            }
            else
            {
                signed = sod.EContent;
            }
            if (!SignatureVerifier.Verify(signerInfo.SignatureAlgorithm, key, signed, signerInfo.Signature, signerInfo.DigestAlgorithm))
                invalid.Add("the SOD signature does not verify with the document signer's key");
        }
        catch (EmrtdException exception)
        {
            invalid.Add($"the SOD signature cannot be checked: {exception.Message}");
        }
        return signer;
    }

    /// <summary>When the SOD was signed, and what says so: its signingTime attribute, else DG13's date of issue.</summary>
    private static (DateTimeOffset Time, string Source, bool WholeDay)? SigningTime(EfSod sod, IReadOnlyDictionary<int, byte[]> dataGroups,
        List<int> verified, List<string> invalid)
    {
        byte[]? attributes = sod.SignerInfos[0].SignedAttributes;
        if (attributes is not null)
        {
            try
            {
                AsnReader set = new AsnReader(attributes, AsnEncodingRules.BER).ReadSetOf(skipSortOrderValidation: true);
                while (set.HasData)
                {
                    AsnReader attribute = set.ReadSequence();
                    if (attribute.ReadObjectIdentifier() != EfSod.IdSigningTime) continue;
                    AsnReader values = attribute.ReadSetOf(skipSortOrderValidation: true);
                    DateTimeOffset time = values.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? values.ReadUtcTime() : values.ReadGeneralizedTime();
                    return (time, "the SOD's signing time", false);
                }
            }
            catch (AsnContentException)
            {
                invalid.Add("the SOD's signing-time attribute is malformed");
                return null;
            }
        }
        // Only a DG13 that matched the SOD may speak for the card; any other is already a failure.
        if (verified.Contains(13) && dataGroups.TryGetValue(13, out byte[]? dg13))
        {
            try
            {
                if (Dg13.Parse(dg13).DateOfIssue is DateOnly issued)
                    return (new DateTimeOffset(issued.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), "the date of issue (DG13)", true);
            }
            catch (EmrtdException) { }
        }
        return null;
    }

    private static void CheckSignerDates(Certificate signer, (DateTimeOffset Time, string Source, bool WholeDay)? signed, DateTimeOffset now,
        List<string> untrusted, List<string> notes)
    {
        string validity = $"valid {signer.NotBefore:yyyy-MM-dd} to {signer.NotAfter:yyyy-MM-dd}";
        // Not valid yet today means it cannot have signed anything yet, whatever signing time the SOD claims.
        if (now < signer.NotBefore)
        {
            untrusted.Add($"the document signer certificate is not valid at {now:yyyy-MM-dd} ({validity}): not yet");
            return;
        }
        if (signed is var (time, source, wholeDay))
        {
            // A date of issue is a whole day: the certificate counts as valid on it if valid at any moment of that day.
            bool validThen = wholeDay ? signer.NotBefore < time.AddDays(1) && time <= signer.NotAfter : signer.IsValidAt(time);
            if (!validThen)
                untrusted.Add($"the document signer certificate is not valid at {source} {time:yyyy-MM-dd} ({validity})");
            else if (!signer.IsValidAt(now))
                notes.Add($"the document signer certificate is not valid at {now:yyyy-MM-dd} ({validity}) but was at {source} {time:yyyy-MM-dd}, which is what counts");
            return;
        }
        if (!signer.IsValidAt(now))
            untrusted.Add($"the document signer certificate is not valid at {now:yyyy-MM-dd} ({validity}), and neither a signing time nor a date of issue shows it was valid when it signed");
    }

    private static Certificate? CheckChain(Certificate signer, CscaTrustStore trustStore, DateTimeOffset now, List<string> untrusted)
    {
        var named = trustStore.Certificates.Where(c => Certificate.SameName(c.Subject, signer.Issuer)).ToList();
        if (named.Count == 0)
        {
            untrusted.Add($"no CSCA in the trust store is named {signer.IssuerName}");
            return null;
        }
        foreach (Certificate csca in named)
        {
            bool signs;
            try { signs = SignatureVerifier.Verify(signer.SignatureAlgorithm, csca.PublicKey(), signer.TbsCertificate, signer.Signature); }
            catch (EmrtdException) { signs = false; }
            if (!signs) continue;
            if (!csca.IsValidAt(now))
                untrusted.Add($"the CSCA certificate is not valid at {now:yyyy-MM-dd} (valid {csca.NotBefore:yyyy-MM-dd} to {csca.NotAfter:yyyy-MM-dd})");
            return csca;
        }
        untrusted.Add($"the document signer certificate does not verify with any CSCA named {signer.IssuerName}");
        return null;
    }

    private static void HashAlgorithmNameOrFail(AlgorithmIdentifier digest, out System.Security.Cryptography.HashAlgorithmName name) =>
        name = HashAlgorithms.FromOid(digest.Oid) ?? throw new UnsupportedProtocolException($"[PassiveAuthentication] digest algorithm {digest.Oid}");

    /// <summary>
    /// The certificate among a SignedData's certificates that the signer info names (issuer and serial number, or subject
    /// key identifier); certificates that do not parse are passed over. Null when none matches.
    /// </summary>
    internal static Certificate? FindSigner(SodSignerInfo signerInfo, IEnumerable<byte[]> certificates)
    {
        foreach (byte[] der in certificates)
        {
            Certificate candidate;
            try { candidate = Certificate.Parse(der); }
            catch (EmrtdException) { continue; }
            bool byIssuerSerial = signerInfo.IssuerName is not null && signerInfo.SerialNumber is not null
                && Certificate.SameName(candidate.Issuer, signerInfo.IssuerName)
                && candidate.SerialNumber.AsSpan().SequenceEqual(signerInfo.SerialNumber);
            bool byKeyId = signerInfo.SubjectKeyIdentifier is not null && candidate.SubjectKeyIdentifier is not null
                && candidate.SubjectKeyIdentifier.AsSpan().SequenceEqual(signerInfo.SubjectKeyIdentifier);
            if (byIssuerSerial || byKeyId) return candidate;
        }
        return null;
    }
}
