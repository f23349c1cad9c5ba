using System.Formats.Asn1;
using System.Security.Cryptography;
using Kiosk.Emrtd;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.Pace;

namespace Kiosk.Simulators.VirtualCard.Security;

/// <summary>The faulty cards tests ask for (issue 3); <see cref="None"/> is a genuine card.</summary>
public enum CardFault
{
    None,
    /// <summary>DG13 changed after the SOD was signed: passive authentication is invalid for DG13.</summary>
    TamperedDg13,
    /// <summary>Signed by a document signer of a CSCA no kiosk trusts: untrusted.</summary>
    UnknownCsca,
    /// <summary>Signed by a document signer whose certificate has expired: untrusted.</summary>
    ExpiredDocumentSigner,
    /// <summary>
    /// A clone: every file (and the SOD) copied from a genuine card, but not the chip's private keys. Passive
    /// authentication is valid; chip authentication and active authentication fail.
    /// </summary>
    ClonedChip,
    /// <summary>
    /// A clone that hides what would give it away: the genuine SOD (which lists DG14 and DG15) and the other files, but
    /// no DG14 or DG15 on the chip, and an EF.COM that leaves them out. A reader that trusts EF.COM never asks for them.
    /// </summary>
    ClonedChipComWithoutDg14Dg15,
    /// <summary>
    /// A clone with the genuine EF.COM and SOD (both list DG14 and DG15) that answers 6A82 (file not found) when DG14 or
    /// DG15 is selected or read, under secure messaging like every other answer.
    /// </summary>
    ClonedChipDg14Dg15NotFound,
}

/// <summary>
/// What makes the virtual card verifiable: DG2 (a gray JPEG portrait of about 15 KB), DG14 (a chip-authentication
/// ECDH key on brainpoolP256r1), DG15 (an active-authentication ECDSA P-256 key) and EF.SOD (SHA-256 hashes of DG1,
/// DG2, DG13, DG14, DG15, CMS-signed by the PKI's document signer). The private keys stay in this object.
/// </summary>
public sealed class CardSecurity
{
    public const string ChipAuthenticationProtocol = "0.4.0.127.0.7.2.2.3.2.1"; // id-CA-ECDH-3DES-CBC-CBC, as on a CCCD
    private static readonly byte[] Portrait = GrayJpeg.Create(240, 320, 15 * 1024);

    public CardSecurity(CardPki pki, CardFault fault = CardFault.None)
    {
        Pki = pki;
        Fault = fault;
        ChipAuthenticationCurve = StandardDomainParameters.ById(StandardDomainParameters.BrainpoolP256r1);
        ChipAuthenticationKey = EcKeyPair.Generate(ChipAuthenticationCurve, RandomSource.System);
        ActiveAuthenticationKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (IsClone(fault))
        {
            // The clone publishes the genuine public keys (copied DG14/DG15) but holds keys of its own.
            chipPrivateKey = EcKeyPair.Generate(ChipAuthenticationCurve, RandomSource.System).PrivateKey;
            signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        }
        else
        {
            chipPrivateKey = ChipAuthenticationKey.PrivateKey;
            signingKey = ActiveAuthenticationKey;
        }
    }

    /// <summary>The faults whose chip is a clone: it holds keys of its own, not the genuine chip's.</summary>
    public static bool IsClone(CardFault fault) =>
        fault is CardFault.ClonedChip or CardFault.ClonedChipComWithoutDg14Dg15 or CardFault.ClonedChipDg14Dg15NotFound;

    private readonly System.Numerics.BigInteger chipPrivateKey;
    private readonly ECDsa signingKey;

    /// <summary>
    /// Card side of chip authentication: the shared secret of the chip's static private key and the terminal's
    /// ephemeral public key (the x-coordinate of d·Q). A clone computes it with a key that does not match DG14.
    /// </summary>
    public byte[] ChipAuthenticationSecret(ReadOnlySpan<byte> terminalEphemeralPublicKey)
    {
        SubjectPublicKey domain = Kiosk.Emrtd.Lds.Dg14.Parse(Dg14()).Preferred()!.Value.Key.PublicKey;
        return Kiosk.Emrtd.ChipAuthentication.ChipAuthenticationSteps.SharedSecret(domain, chipPrivateKey, terminalEphemeralPublicKey);
    }

    public CardPki Pki { get; }
    public CardFault Fault { get; }
    public EllipticCurve ChipAuthenticationCurve { get; }
    public EcKeyPair ChipAuthenticationKey { get; }
    public ECDsa ActiveAuthenticationKey { get; }

    /// <summary>
    /// The files to add to the card, by FID: DG2, DG14, DG15, EF.SOD, EF.COM, and DG13 replaced when tampered. The SOD
    /// always covers DG1, DG2, DG13, DG14 and DG15; a clone that hides DG14/DG15 leaves them out of the card
    /// (<see cref="RemovedFiles"/>).
    /// </summary>
    public Dictionary<ushort, byte[]> Files(byte[] dg1, byte[] dg13)
    {
        var groups = new Dictionary<int, byte[]>
        {
            [1] = dg1,
            [2] = Dg2(),
            [13] = dg13,
            [14] = Dg14(),
            [15] = BerTlv.Encode(0x6F, ActiveAuthenticationKey.ExportSubjectPublicKeyInfo()),
        };
        IssuedCertificate signer = Fault switch
        {
            CardFault.UnknownCsca => Pki.UnknownDocumentSigner,
            CardFault.ExpiredDocumentSigner => Pki.ExpiredDocumentSigner,
            _ => Pki.DocumentSigner,
        };
        byte[] sod = SodWriter.Create(groups, signer.Der, signer.Key, HashAlgorithmName.SHA256);
        var files = new Dictionary<ushort, byte[]>
        {
            [DataGroups.FileId(2)] = groups[2],
            [DataGroups.FileId(14)] = groups[14],
            [DataGroups.FileId(15)] = groups[15],
            [DataGroups.EfSodFileId] = sod,
            [DataGroups.EfComFileId] = Fault == CardFault.ClonedChipComWithoutDg14Dg15 ? EfCom([0x61, 0x75, 0x6D]) : EfCom(),
        };
        foreach (ushort removed in RemovedFiles) files.Remove(removed);
        if (Fault == CardFault.TamperedDg13)
        {
            byte[] tampered = dg13.ToArray();
            tampered[^1] ^= 0x01; // the last character of the last field: still well-formed, no longer what was signed
            files[DataGroups.FileId(13)] = tampered;
        }
        return files;
    }

    /// <summary>The card's answer to INTERNAL AUTHENTICATE: ECDSA-SHA-256 over the challenge, r ‖ s.</summary>
    public byte[] SignChallenge(byte[] challenge) =>
        signingKey.SignData(challenge, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>Files the card must not have although the SOD lists them (the clones that hide DG14 and DG15).</summary>
    public IReadOnlyList<ushort> RemovedFiles => Fault is CardFault.ClonedChipComWithoutDg14Dg15 or CardFault.ClonedChipDg14Dg15NotFound
        ? [DataGroups.FileId(14), DataGroups.FileId(15)]
        : [];

    private static byte[] EfCom() => EfCom([0x61, 0x75, 0x6D, 0x6E, 0x6F]);

    private static byte[] EfCom(byte[] tags) => BerTlv.Encode(0x60, [.. BerTlv.Encode(0x5F01, "0107"u8), .. BerTlv.Encode(0x5F36, "040000"u8),
        .. BerTlv.Encode(0x5C, tags)]);

    private static byte[] Dg2()
    {
        // ISO 19794-5 facial record header (format "FAC\0", version "010\0", lengths, one image) ahead of the JPEG.
        byte[] record = [.. "FAC\0010\0"u8, .. BigEndian(14 + 20 + 12 + Portrait.Length, 4), 0x00, 0x01,
            .. BigEndian(20 + 12 + Portrait.Length, 4), 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x01, 0x00, 0x00, 0xF0, 0x01, 0x40, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, .. Portrait];
        byte[] header = BerTlv.Encode(0xA1, [.. BerTlv.Encode(0x80, [0x01, 0x01]), .. BerTlv.Encode(0x87, [0x01, 0x01]), .. BerTlv.Encode(0x88, [0x00, 0x08])]);
        return BerTlv.Encode(0x75, BerTlv.Encode(0x7F61, [.. BerTlv.Encode(0x02, [0x01]), .. BerTlv.Encode(0x7F60, [.. header, .. BerTlv.Encode(0x5F2E, record)])]));
    }

    private byte[] Dg14()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.PushSetOf();
        writer.PushSequence();
        writer.WriteObjectIdentifier(ChipAuthenticationProtocol);
        writer.WriteInteger(1);
        writer.PopSequence();
        writer.PushSequence();
        writer.WriteObjectIdentifier(SubjectPublicKey.IdPkEcdh);
        writer.PushSequence();
        writer.PushSequence();
        writer.WriteObjectIdentifier(SubjectPublicKey.IdEcPublicKey);
        writer.WriteObjectIdentifier("1.3.36.3.3.2.8.1.1.7");
        writer.PopSequence();
        writer.WriteBitString(ChipAuthenticationCurve.Encode(ChipAuthenticationKey.PublicKey));
        writer.PopSequence();
        writer.PopSequence();
        writer.PushSequence();
        writer.WriteObjectIdentifier(Kiosk.Emrtd.Lds.Dg14.IdActiveAuthentication);
        writer.WriteInteger(1);
        writer.WriteObjectIdentifier("1.2.840.10045.4.3.2");
        writer.PopSequence();
        writer.PopSetOf();
        return BerTlv.Encode(0x6E, writer.Encode());
    }

    private static byte[] BigEndian(int value, int length)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[length - 1 - i] = (byte)(value >> (8 * i));
        return bytes;
    }
}
