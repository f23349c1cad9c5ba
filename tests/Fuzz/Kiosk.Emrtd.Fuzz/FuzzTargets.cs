using Kiosk.Emrtd.CardAccess;
using Kiosk.Emrtd.Crypto;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.PassiveAuthentication;
using Kiosk.Emrtd.SecureMessaging;

namespace Kiosk.Emrtd.Fuzz;

/// <summary>
/// The fuzz targets, one per parser family: each feeds bytes from a (possibly hostile) chip to the parsers of that family
/// and lets through only what a caller may see: a result or an <see cref="EmrtdException"/>. Any other exception
/// escapes, and is a crash for afl-fuzz and a failure for the corpus replay test (this file is compiled into
/// Emrtd.Tests too).
/// </summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["tlv"] = Tlv,
        ["asn1"] = Asn1,
        ["datagroups"] = DataGroupFiles,
        ["cardaccess"] = CardAccess,
        ["secure-messaging"] = SecureMessaging,
    };

    /// <summary>Runs one input through a target; typed errors are the expected outcome for bad input.</summary>
    public static void Run(string target, byte[] input)
    {
        if (!All.TryGetValue(target, out Action<byte[]>? run)) throw new ArgumentException($"no fuzz target '{target}'", nameof(target));
        run(input);
    }

    /// <summary>Each parser call on its own, so an early typed error does not hide the parsers after it.</summary>
    private static void Typed(Action parse)
    {
        try { parse(); }
        catch (EmrtdException) { }
    }

    /// <summary>BER-TLV: a sequence of objects, one object, a header alone, and every constructed value below.</summary>
    private static void Tlv(byte[] input)
    {
        Typed(() => BerTlv.TryReadHeader(input, out _, out _, out _));
        Typed(() => BerTlv.ParseSingle(input));
        Typed(() => { foreach (Tlv tlv in BerTlv.ParseAll(input)) Descend(tlv, 0); });
    }

    private static void Descend(Tlv tlv, int depth)
    {
        if (!tlv.Encoded.AsSpan().EndsWith(tlv.Value)) throw new InvalidOperationException($"[fuzz] tag {tlv.Tag:X}: Encoded does not end with Value");
        if (!tlv.IsConstructed || depth > 16) return;
        foreach (Tlv child in BerTlv.ParseAll(tlv.Value)) Descend(child, depth + 1);
    }

    /// <summary>
    /// ASN.1 and CMS: the same bytes as an X.509 certificate (then its key and its own signature), a
    /// SubjectPublicKeyInfo (then the platform key), an EF.SOD ContentInfo (then its certificates) and an LDSSecurityObject.
    /// </summary>
    private static void Asn1(byte[] input)
    {
        Typed(() =>
        {
            Certificate certificate = Certificate.Parse(input);
            _ = certificate.SubjectName + certificate.IssuerName + certificate.IsSelfIssued;
            SignatureVerifier.Verify(certificate.SignatureAlgorithm, certificate.PublicKey(), certificate.TbsCertificate, certificate.Signature);
        });
        Typed(() =>
        {
            SubjectPublicKey key = SubjectPublicKey.Parse(input);
            if (key.Kind == PublicKeyKind.Rsa) key.CreateRsa().Dispose();
            if (key.Kind == PublicKeyKind.EllipticCurve) key.CreateEcdsa().Dispose();
        });
        Typed(() =>
        {
            EfSod sod = EfSod.ParseSignedData(input);
            foreach (byte[] certificate in sod.Certificates) Typed(() => Certificate.Parse(certificate).PublicKey());
        });
        Typed(() => LdsSecurityObject.Parse(input));
    }

    private static readonly DateTimeOffset SomeTime = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// An LDS file, dispatched by its outer tag as a reader does after SELECT: EF.COM, DG1, 2, 13, 14, 15, and EF.SOD
    /// (parsed, then through passive authentication with no data groups and an empty trust store).
    /// </summary>
    private static void DataGroupFiles(byte[] input)
    {
        if (input.Length == 0) return;
        Typed(() =>
        {
            switch (input[0])
            {
                case DataGroups.EfComTag: EfCom.Parse(input); break;
                case 0x61: Dg1.Parse(input); break;
                case 0x75: foreach (FaceImage image in Dg2.Parse(input)) Dg2.Detect(image.Data); break;
                case 0x6D: Dg13.Parse(input); break;
                case 0x6E: Dg14.Parse(input).Preferred(); break;
                case 0x6F: Dg15.Parse(input); break;
                case DataGroups.EfSodTag:
                    EfSod.Parse(input);
                    // The whole check, whose SOD signature is verified with the key of the chip's own certificate.
                    PassiveAuthenticator.Verify(input, new Dictionary<int, byte[]>(), CscaTrustStore.Empty(), SomeTime);
                    break;
            }
        });
    }

    /// <summary>EF.CardAccess SecurityInfos and the PACE choice made from them.</summary>
    private static void CardAccess(byte[] input)
    {
        Typed(() =>
        {
            SecurityInfos infos = SecurityInfos.Parse(input);
            _ = infos.PreferredPace;
            foreach (PaceInfo info in infos.PaceInfos) _ = info.Algorithm;
        });
    }

    /// <summary>Fixed session keys: the 3DES keys of Doc 9303 Part 11 D.4, and an AES-128 pair.</summary>
    private static readonly byte[] TripleDesEnc = Convert.FromHexString("979EC13B1CBFE9DCD01AB0FED307EAE5");
    private static readonly byte[] TripleDesMac = Convert.FromHexString("F1CB1F1FB5ADF208806B89DC579DC1F8");
    private static readonly byte[] TripleDesSsc = Convert.FromHexString("887022120C06C226");
    private static readonly byte[] AesEnc = Convert.FromHexString("F5F0E35C0D7161EE6724EE513A0D9A7F");
    private static readonly byte[] AesMac = Convert.FromHexString("FE251C7858B356B24514B3BD5F4297D1");
    private static readonly byte[] AesSsc = new byte[16];

    /// <summary>
    /// Secure messaging, card and terminal side. The first byte chooses: bit 0 response (terminal unwraps) or command
    /// (card unwraps); bit 1 whether the harness appends a valid DO8E over the rest, so mutations reach decryption and
    /// padding checks behind the MAC; bit 2 AES-128 instead of 3DES. The rest is the APDU (with a valid MAC: the data
    /// objects then SW1 SW2, or CLA INS P1 P2 then the data objects).
    /// </summary>
    private static void SecureMessaging(byte[] input)
    {
        if (input.Length == 0) return;
        int mode = input[0];
        bool command = (mode & 1) != 0, withValidMac = (mode & 2) != 0, aes = (mode & 4) != 0;
        var keys = aes
            ? new SessionKeys(CipherKind.Aes128, AesEnc, AesMac, AesSsc)
            : new SessionKeys(CipherKind.TripleDes, TripleDesEnc, TripleDesMac, TripleDesSsc);
        byte[] body = input[1..];
        Typed(() =>
        {
            SecureMessagingSession session = keys.StartSession();
            if (!command)
            {
                byte[] response = withValidMac ? WithValidResponseMac(keys, body) : body;
                if (response.Length > 0) session.UnwrapResponse(response);
            }
            else
            {
                byte[] apdu = withValidMac ? WithValidCommandMac(keys, body) : body;
                if (apdu.Length > 0) session.UnwrapCommand(apdu);
            }
        });
    }

    private static byte[] WithValidResponseMac(SessionKeys keys, byte[] body)
    {
        if (body.Length < 2) return [];
        byte[] objects = body[..^2];
        return [.. objects, .. BerTlv.Encode(0x8E, Mac(keys, objects)), body[^2], body[^1]];
    }

    private static byte[] WithValidCommandMac(SessionKeys keys, byte[] body)
    {
        if (body.Length < 4 || body.Length > 4 + 60000) return [];
        byte cla = (byte)(body[0] | 0x0C);
        byte[] objects = body[4..];
        byte[] header = Padding.Pad([cla, body[1], body[2], body[3]], keys.Cipher.BlockSize());
        byte[] data = [.. objects, .. BerTlv.Encode(0x8E, Mac(keys, [.. header, .. objects]))];
        return new CommandApdu(cla, body[1], body[2], body[3], data, CommandApdu.MaxShortNe).Encode();
    }

    /// <summary>The checksum the session expects for the first exchange: over SSC + 1 and the message, padded.</summary>
    private static byte[] Mac(SessionKeys keys, byte[] message)
    {
        byte[] ssc = keys.SendSequenceCounter.ToArray();
        for (int i = ssc.Length - 1; i >= 0; i--)
            if (++ssc[i] != 0) break;
        return MessageAuthentication.OverPadded(keys.Cipher, keys.Mac, Padding.Pad([.. ssc, .. message], keys.Cipher.BlockSize()));
    }
}
