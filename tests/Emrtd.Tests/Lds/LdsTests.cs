using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Kiosk.Emrtd;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Lds;

namespace Emrtd.Tests.Lds;

public class LdsTests
{
    /// <summary>EF.COM of Part 11 D.4 (emrtd.md §1.4): LDS 0106, Unicode 040000, DG1 and DG2.</summary>
    public static readonly byte[] D4EfCom = Convert.FromHexString("60145F0104303130365F36063034303030305C026175");

    public const string VietnamMrz = "IDVNM0990123459001099012345<<09901018M3901016VNM<<<<<<<<<<<0NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<";

    public static byte[] Dg1File(string mrz) => BerTlv.Encode(0x61, BerTlv.Encode(0x5F1F, Encoding.ASCII.GetBytes(mrz)));

    public static byte[] Dg2File(byte[] image) =>
        BerTlv.Encode(0x75, BerTlv.Encode(0x7F61, [.. BerTlv.Encode(0x02, [1]),
            .. BerTlv.Encode(0x7F60, [.. BerTlv.Encode(0xA1, BerTlv.Encode(0x80, [1, 1])),
                .. BerTlv.Encode(0x5F2E, [.. "FAC\0"u8, 0x30, 0x31, 0x30, 0x00, 0, 0, 0, 0x40, .. image])])]));

    [Fact]
    public void Ef_com_of_the_worked_example()
    {
        EfCom com = EfCom.Parse(D4EfCom);
        Assert.Equal("0106", com.LdsVersion);
        Assert.Equal("040000", com.UnicodeVersion);
        Assert.Equal([1, 2], com.DataGroups);
    }

    [Fact]
    public void Dg1_vietnamese_td1_with_every_check_digit()
    {
        Td1Mrz mrz = Dg1.Parse(Dg1File(VietnamMrz));
        Assert.Equal("001099012345", mrz.VietnamIdNumber);
        Assert.Equal("099012345", mrz.DocumentNumber);
        Assert.Equal("990101", mrz.DateOfBirth);
        Assert.Equal('M', mrz.Sex);
        Assert.Equal("NGUYEN", mrz.Surname);
        Assert.Equal("VAN A", mrz.GivenNames);
        Assert.Equal(3, mrz.Lines.Count);
        string broken = VietnamMrz[..59] + "1" + VietnamMrz[60..];
        Assert.Throws<MalformedDataException>(() => Dg1.Parse(Dg1File(broken)));
    }

    [Fact]
    public void Dg1_long_document_number_of_d2_example_2()
    {
        Td1Mrz mrz = Td1Mrz.Parse("I<UTOD23145890<7349<<<<<<<<<<<3407127M9507122UTO<<<<<<<<<<<2ERIKSSON<<ANNA<MARIA<<<<<<<<<<");
        Assert.Equal("D23145890734", mrz.DocumentNumber);
    }

    [Fact]
    public void Dg2_finds_jpeg_and_jpeg2000()
    {
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9];
        FaceImage face = Assert.Single(Dg2.Parse(Dg2File(jpeg)));
        Assert.Equal(FaceImageFormat.Jpeg, face.Format);
        Assert.Equal(jpeg, face.Data);
        byte[] jp2 = [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A];
        Assert.Equal(FaceImageFormat.Jpeg2000, Dg2.Parse(Dg2File(jp2))[0].Format);
        Assert.Equal(FaceImageFormat.Jpeg2000, Dg2.Detect([0xFF, 0x4F, 0xFF, 0x51, 0]));
        Assert.Throws<MalformedDataException>(() => Dg2.Parse(Dg2File([1, 2, 3])));
    }

    [Fact]
    public void Dg13_vietnamese_fields_leniently()
    {
        static byte[] Field(int n, params byte[][] values) => BerTlv.Encode(0x30, [.. BerTlv.Encode(0x02, [(byte)n]), .. values.SelectMany(v => v)]);
        static byte[] Utf8(string s) => BerTlv.Encode(0x0C, Encoding.UTF8.GetBytes(s));
        static byte[] Printable(string s) => BerTlv.Encode(0x13, Encoding.ASCII.GetBytes(s));
        byte[] set = [.. Field(1, Printable("001099012345")), .. Field(2, Utf8("Nguyễn Văn An")), .. Field(3, Printable("01/01/1999")),
            .. Field(12, Utf8("Không thời hạn")), .. Field(13, BerTlv.Encode(0x30, Utf8("Nguyễn Văn Bình")), BerTlv.Encode(0x30, Utf8("Trần Thị Cúc"))),
            .. Field(14), .. Field(99, Utf8("unknown"))];
        byte[] file = BerTlv.Encode(0x6D, BerTlv.Encode(0x30, [0x02, 0x01, 0x01, 0x06, 0x06, 0x28, 0xD3, 0x16, 0x01, 0x00, 0x08, .. BerTlv.Encode(0x31, set)]));
        Dg13 dg13 = Dg13.Parse(file);
        Assert.Equal("001099012345", dg13.IdNumber);
        Assert.Equal("Nguyễn Văn An", dg13.FullName);
        Assert.Equal(new DateOnly(1999, 1, 1), dg13.DateOfBirth);
        Assert.Null(dg13.DateOfExpiry);
        Assert.Equal("Không thời hạn", dg13.DateOfExpiryText);
        Assert.Equal("Trần Thị Cúc", dg13.MotherName);
        Assert.Null(dg13.SpouseName);
        Assert.DoesNotContain("Nguy", dg13.ToString());
    }

    [Fact]
    public void Dg14_and_dg15_keys()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.brainpoolP256r1);
        byte[] file = ChipAuthentication.ChipAuthenticationTests.Dg14File(key.ExportSubjectPublicKeyInfo(), "0.4.0.127.0.7.2.2.3.2.1");
        Dg14 dg14 = Dg14.Parse(file);
        Assert.Equal("0.4.0.127.0.7.2.2.3.2.1", Assert.Single(dg14.ChipAuthenticationInfos).Oid);
        ChipAuthenticationPublicKeyInfo info = Assert.Single(dg14.ChipAuthenticationPublicKeys);
        Assert.Equal(PublicKeyKind.EllipticCurve, info.PublicKey.Kind);
        Assert.Equal("1.2.840.10045.4.3.2", dg14.ActiveAuthentication!.SignatureAlgorithm);
        Assert.NotNull(dg14.Preferred());

        SubjectPublicKey dg15 = Dg15.Parse(BerTlv.Encode(0x6F, key.ExportSubjectPublicKeyInfo()));
        Assert.Equal("1.3.36.3.3.2.8.1.1.7", dg15.CurveOid);
        using RSA rsa = RSA.Create(1024);
        Assert.Equal(PublicKeyKind.Rsa, Dg15.Parse(BerTlv.Encode(0x6F, rsa.ExportSubjectPublicKeyInfo())).Kind);
    }

    [Fact]
    public void Data_group_numbers_and_tags()
    {
        Assert.Equal(0x75, DataGroups.Tag(2));
        Assert.Equal(13, DataGroups.FromTag(0x6D));
        Assert.Equal((ushort)0x010F, DataGroups.FileId(15));
    }
}

/// <summary>Random and mutated bytes into every LDS, PKI and AA parser: only typed errors (fuzz-style, CsCheck).</summary>
public class LdsRandomInputTests
{
    private const long Iterations = 2000;

    private static void Check(Gen<byte[]> gen, Action<byte[]> parse) =>
        gen.Sample(bytes => { try { parse(bytes); } catch (EmrtdException) { } }, iter: Iterations, threads: 1);

    private static Gen<byte[]> Mutated(byte[] valid) =>
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, Gen.Int[0, 3], (index, value, cut) =>
        {
            byte[] copy = valid.ToArray();
            copy[index] = value;
            return cut == 0 ? copy[..index] : copy;
        });

    private static void Everything(byte[] bytes)
    {
        void Try(Action action) { try { action(); } catch (EmrtdException) { } }
        Try(() => EfCom.Parse(bytes));
        Try(() => EfSod.Parse(bytes));
        Try(() => Dg1.Parse(bytes));
        Try(() => Dg2.Parse(bytes));
        Try(() => Dg13.Parse(bytes));
        Try(() => Dg14.Parse(bytes));
        Try(() => Dg15.Parse(bytes));
        Try(() => SubjectPublicKey.Parse(bytes));
        Try(() => Kiosk.Emrtd.PassiveAuthentication.Certificate.Parse(bytes));
        Try(() => Kiosk.Emrtd.PassiveAuthentication.CscaTrustStore.Empty().AddMasterList(bytes));
        Try(() => Kiosk.Emrtd.PassiveAuthentication.PassiveAuthenticator.Verify(bytes, new Dictionary<int, byte[]>(),
            Kiosk.Emrtd.PassiveAuthentication.CscaTrustStore.Empty(), DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void Random_bytes() => Check(Gen.Byte.Array[0, 400], Everything);

    [Fact]
    public void Mutated_valid_files()
    {
        var pki = PassiveAuthentication.TestPki.Create(ECCurve.NamedCurves.brainpoolP256r1, explicitParameters: true);
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[][] valid =
        [
            LdsTests.D4EfCom,
            LdsTests.Dg1File(LdsTests.VietnamMrz),
            LdsTests.Dg2File([0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xD9]),
            SodWriter.Create(new Dictionary<int, byte[]> { [1] = [0x61, 0x00] }, pki.DocumentSigner, pki.SignerKey, HashAlgorithmName.SHA256),
            ChipAuthentication.ChipAuthenticationTests.Dg14File(key.ExportSubjectPublicKeyInfo(), "0.4.0.127.0.7.2.2.3.2.2"),
            BerTlv.Encode(0x6F, pki.Csca), // a certificate where a key is expected, and its SPKI inside
            pki.Csca,
        ];
        foreach (byte[] file in valid) Check(Mutated(file), Everything);
    }
}
