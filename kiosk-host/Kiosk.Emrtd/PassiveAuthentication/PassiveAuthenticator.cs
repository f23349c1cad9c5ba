using Kiosk.Emrtd.Lds;

namespace Kiosk.Emrtd.PassiveAuthentication;

/// <summary>
/// Valid: the data groups match the SOD, the SOD's signature verifies, and its document signer chains to a trusted CSCA
/// with both certificates valid at the given time. Invalid: the chip's data contradicts its own signature (a hash, the
/// message digest or the signature does not verify, or the SOD is malformed). Untrusted: the signature is intact but its
/// signer cannot be traced to a trusted, currently valid CSCA.
/// </summary>
public enum PassiveAuthenticationStatus { Valid, Invalid, Untrusted }

/// <summary>The outcome with every reason it is not valid (names and dates only: no personal data, no keys).</summary>
public sealed record PassiveAuthenticationResult(
    PassiveAuthenticationStatus Status,
    IReadOnlyList<string> Failures,
    IReadOnlyList<int> VerifiedDataGroups,
    string? DocumentSigner,
    string? Csca);

/// <summary>Passive authentication (Part 11 §5.1, emrtd.md §2.2) as one pure function: bytes, trust store and clock in.</summary>
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
        if (signer is not null) csca = CheckChain(signer, trustStore, now, untrusted);

        PassiveAuthenticationStatus status = invalid.Count > 0 ? PassiveAuthenticationStatus.Invalid
            : untrusted.Count > 0 ? PassiveAuthenticationStatus.Untrusted
            : PassiveAuthenticationStatus.Valid;
        return new PassiveAuthenticationResult(status, [.. invalid, .. untrusted], verified, signer?.SubjectName, csca?.SubjectName);
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
        Certificate? signer = null;
        foreach (byte[] der in sod.Certificates)
        {
            Certificate candidate;
            try { candidate = Certificate.Parse(der); }
            catch (EmrtdException) { continue; }
            bool byIssuerSerial = signerInfo.IssuerName is not null && signerInfo.SerialNumber is not null
                && Certificate.SameName(candidate.Issuer, signerInfo.IssuerName)
                && candidate.SerialNumber.AsSpan().SequenceEqual(signerInfo.SerialNumber);
            bool byKeyId = signerInfo.SubjectKeyIdentifier is not null && candidate.SubjectKeyIdentifier is not null
                && candidate.SubjectKeyIdentifier.AsSpan().SequenceEqual(signerInfo.SubjectKeyIdentifier);
            if (byIssuerSerial || byKeyId) { signer = candidate; break; }
        }
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

    private static Certificate? CheckChain(Certificate signer, CscaTrustStore trustStore, DateTimeOffset now, List<string> untrusted)
    {
        if (!signer.IsValidAt(now))
            untrusted.Add($"the document signer certificate is not valid at {now:yyyy-MM-dd} (valid {signer.NotBefore:yyyy-MM-dd} to {signer.NotAfter:yyyy-MM-dd})");
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
}
