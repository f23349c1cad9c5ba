using System.Text;
using Kiosk.Simulators.VirtualCard;
using Kiosk.Simulators.VirtualCard.Profiles;

namespace Simulators.Tests;

public class VirtualCardTests
{
    private const string SelectApplet = "00A4040C07A0000002471001";

    internal static PersonProfileStore ShippedProfiles() => PersonProfileStore.LoadFolder(PersonProfileStore.DefaultFolder);

    internal static PersonProfile Profile(string id)
    {
        Assert.True(ShippedProfiles().TryGet(id, out PersonProfile profile));
        return profile;
    }

    private static string Send(IVirtualCard card, string apduHex) => Hex.Of(card.Process(Hex.Bytes(apduHex)));

    /// <summary>Reads a whole EF the way a reader does: 4 header bytes, then the rest in chunks.</summary>
    internal static byte[] ReadFile(Func<byte[], byte[]> transmit, string fileId)
    {
        Assert.Equal("9000", Hex.Of(transmit(Hex.Bytes("00A4020C02" + fileId))));
        byte[] header = transmit(Hex.Bytes("00B0000004"));
        Assert.Equal("9000", Hex.Of(header.AsSpan(header.Length - 2)));
        int lengthByte = header[1];
        int total = lengthByte < 0x80 ? 2 + lengthByte
            : lengthByte == 0x81 ? 3 + header[2]
            : 4 + ((header[2] << 8) | header[3]);
        var content = new List<byte>();
        while (content.Count < total)
        {
            int chunk = Math.Min(0xE0, total - content.Count);
            byte[] response = transmit(Hex.Bytes($"00B0{content.Count:X4}{chunk:X2}"));
            Assert.Equal("9000", Hex.Of(response.AsSpan(response.Length - 2)));
            content.AddRange(response[..^2]);
        }
        return content.ToArray();
    }

    [Fact]
    public void Select_applet_and_mf_answer_like_the_vietnamese_card()
    {
        var card = new VirtualCccdCard(Profile("nguyen-van-an"));
        Assert.Equal("6D00", Send(card, "00A4000C023F00"));
        Assert.Equal("6D00", Send(card, "00A4000C"));
        Assert.Equal("6A82", Send(card, "00A4020C02011E")); // the LDS files live inside the applet
        Assert.Equal("6A82", Send(card, "00A4040C07A0000002471002"));
        Assert.Equal("9000", Send(card, SelectApplet));
        Assert.Equal("9000", Send(card, "00A4020C02011E"));
        Assert.Equal("9000", Send(card, "00A4020C020101"));
        Assert.Equal("9000", Send(card, "00A4020C02010D"));
        Assert.Equal("6A82", Send(card, "00A4020C02010B")); // no DG11 on a CCCD
        Assert.Equal("6A82", Send(card, "00A4020C02011C")); // no EF.CardAccess until PACE exists
        Assert.Equal("6700", Send(card, "00A4020C03010101"));
    }

    [Fact]
    public void Read_binary_errors()
    {
        var card = new VirtualCccdCard(Profile("nguyen-van-an"));
        Assert.Equal("9000", Send(card, SelectApplet));
        Assert.Equal("6986", Send(card, "00B0000004")); // nothing selected
        Assert.Equal("9000", Send(card, "00A4020C02011E"));
        Assert.Equal("6B00", Send(card, "00B0010004"));
        Assert.Equal("6B00", Send(card, "00B0001604")); // EF.COM is 22 bytes: offset 22 is past its end
        Assert.Equal("6700", Send(card, "00B00000")); // no Le
        Assert.Equal("6E00", Send(card, "80B0000004"));
        Assert.Equal("6D00", Send(card, "0084000008")); // GET CHALLENGE comes with BAC, later
        Assert.Equal("6700", Send(card, "00B0"));
        Assert.Equal("6700", Send(card, "00A4040C07A000")); // Lc says 7, 1 byte follows
    }

    [Fact]
    public void Ef_com_lists_dg1_and_dg13()
    {
        var card = new VirtualCccdCard(Profile("nguyen-van-an"));
        Send(card, SelectApplet);
        Send(card, "00A4020C02011E");
        Assert.Equal("60145F0104303130375F36063034303030305C02616D9000", Send(card, "00B0000000"));
        Assert.Equal("5F36063034303030305C02616D9000", Send(card, "00B0000900"));
        Assert.Equal("60149000", Send(card, "00B0000002"));
    }

    [Fact]
    public void Short_ef_read_selects_and_reads()
    {
        var card = new VirtualCccdCard(Profile("nguyen-van-an"));
        Send(card, SelectApplet);
        Assert.Equal("60145F019000", Send(card, "00B09E0004"));
        Assert.Equal("61", Send(card, "00B0810001")[..2]);
        Assert.Equal("6A82", Send(card, "00B0820001"));
    }

    [Fact]
    public void Reset_forgets_the_selection()
    {
        var card = new VirtualCccdCard(Profile("nguyen-van-an"));
        Send(card, SelectApplet);
        Send(card, "00A4020C020101");
        card.Reset();
        Assert.Equal("6986", Send(card, "00B0000004"));
        Assert.Equal("6A82", Send(card, "00A4020C020101"));
    }

    [Theory]
    [InlineData("nguyen-van-an")]
    [InlineData("tran-thi-mai")]
    [InlineData("le-hoang-nam")]
    public void Dg1_holds_a_td1_mrz_with_every_check_digit_correct(string profileId)
    {
        PersonProfile profile = Profile(profileId);
        var card = new VirtualCccdCard(profile);
        Send(card, SelectApplet);
        byte[] dg1 = ReadFile(card.Process, "0101");

        TlvNode root = TlvNode.ParseSingle(dg1);
        Assert.Equal(0x61, root.Tag);
        TlvNode mrzNode = Assert.Single(root.Children);
        Assert.Equal(0x5F1F, mrzNode.Tag);
        string mrz = Encoding.ASCII.GetString(mrzNode.Value);
        Assert.Equal(90, mrz.Length);
        string line1 = mrz[..30], line2 = mrz[30..60], line3 = mrz[60..];

        Assert.Equal("IDVNM", line1[..5]);
        Assert.Equal(profile.IdNumber[3..], line1[5..14]);
        Assert.Equal(MrzTests.IcaoCheckDigit(line1[5..14]), line1[14] - '0');
        Assert.Equal(profile.IdNumber, line1[15..27]);
        Assert.Equal("<<", line1[27..29]);
        Assert.Equal(MrzTests.IcaoCheckDigit(profile.IdNumber), line1[29] - '0');

        string birth = profile.DateOfBirth.Replace("-", "")[2..];
        string expiry = profile.DateOfExpiry.Replace("-", "")[2..];
        Assert.Equal(birth, line2[..6]);
        Assert.Equal(MrzTests.IcaoCheckDigit(birth), line2[6] - '0');
        Assert.Equal(profile.Sex == "Nam" ? 'M' : 'F', line2[7]);
        Assert.Equal(expiry, line2[8..14]);
        Assert.Equal(MrzTests.IcaoCheckDigit(expiry), line2[14] - '0');
        Assert.Equal("VNM<<<<<<<<<<<", line2[15..29]);
        string composite = line1[5..30] + line2[..7] + line2[8..15] + line2[18..29];
        Assert.Equal(MrzTests.IcaoCheckDigit(composite), line2[29] - '0');

        Assert.Matches("^[A-Z]+<<[A-Z<]+$", line3);
        Assert.DoesNotContain(line3, c => c > 'Z');
    }

    [Fact]
    public void Dg13_is_the_vietnamese_structure_with_utf8_text()
    {
        PersonProfile profile = Profile("nguyen-van-an");
        var card = new VirtualCccdCard(profile);
        Send(card, SelectApplet);
        byte[] dg13 = ReadFile(card.Process, "010D");
        Assert.Equal("6D82", Hex.Of(dg13.AsSpan(0, 2))); // > 255 bytes: long-form length

        TlvNode root = TlvNode.ParseSingle(dg13);
        Assert.Equal(0x6D, root.Tag);
        TlvNode sequence = Assert.Single(root.Children);
        Assert.Equal(0x30, sequence.Tag);
        Assert.Equal(3, sequence.Children.Count);
        Assert.Equal("020101", Hex.Of([0x02, 0x01, .. sequence.Children[0].Value]));
        Assert.Equal(0x06, sequence.Children[1].Tag);
        Assert.Equal("28D316010008", Hex.Of(sequence.Children[1].Value));
        TlvNode set = sequence.Children[2];
        Assert.Equal(0x31, set.Tag);

        var fields = set.Children.ToDictionary(f => (int)f.Children[0].Value[0], f => f.Children.Skip(1).ToList());
        Assert.Equal(Enumerable.Range(1, 16), fields.Keys.Order());
        Assert.All(set.Children, f => Assert.Equal(0x30, f.Tag));

        (int Tag, string Text) Value(int field) => (fields[field][0].Tag, Encoding.UTF8.GetString(fields[field][0].Value));
        Assert.Equal((0x13, "001085012345"), Value(1));
        Assert.Equal((0x0C, "Nguyễn Văn An"), Value(2));
        Assert.Equal((0x13, "12/03/1985"), Value(3));
        Assert.Equal((0x0C, "Nam"), Value(4));
        Assert.Equal((0x0C, "Việt Nam"), Value(5));
        Assert.Equal((0x0C, "Kinh"), Value(6));
        Assert.Equal((0x0C, "Không"), Value(7));
        Assert.Equal((0x0C, profile.PlaceOfOrigin), Value(8));
        Assert.Equal((0x0C, "Số 12 ngõ 34 Trần Thái Tông, Phường Dịch Vọng Hậu, Quận Cầu Giấy, Thành phố Hà Nội"), Value(9));
        Assert.Equal((0x0C, profile.IdentifyingMarks), Value(10));
        Assert.Equal((0x13, "02/04/2025"), Value(11));
        Assert.Equal((0x13, "12/03/2045"), Value(12));
        // Field 13: father and mother, each UTF8String in its own SEQUENCE.
        Assert.Equal(2, fields[13].Count);
        Assert.Equal("Nguyễn Văn Bình", Encoding.UTF8.GetString(fields[13][0].Children.Single().Value));
        Assert.Equal("Phạm Thị Hoa", Encoding.UTF8.GetString(fields[13][1].Children.Single().Value));
        Assert.Equal("Đỗ Thị Lan", Encoding.UTF8.GetString(fields[14].Single().Children.Single().Value));
        Assert.Equal((0x13, "012345678"), Value(15));
        Assert.Equal(16, fields[16].Single().Value.Length);
    }

    [Fact]
    public void Dg13_of_a_single_person_without_old_id_has_empty_fields_14_and_15()
    {
        var card = new VirtualCccdCard(Profile("tran-thi-mai") with { OldIdNumber = "" });
        Send(card, SelectApplet);
        byte[] dg13 = ReadFile(card.Process, "010D");
        TlvNode set = TlvNode.ParseSingle(dg13).Children[0].Children[2];
        TlvNode spouse = set.Children.Single(f => f.Children[0].Value[0] == 14);
        TlvNode oldId = set.Children.Single(f => f.Children[0].Value[0] == 15);
        Assert.Equal("02010E", Hex.Of(spouse.Value)); // 30 03 02 01 0E: the field number and nothing else
        Assert.Equal("02010F", Hex.Of(oldId.Value));
        TlvNode sex = set.Children.Single(f => f.Children[0].Value[0] == 4);
        Assert.Equal("0C044EE1BBAF", Hex.Of(sex.Value[3..]));
    }

    [Fact]
    public void Le_zero_reads_256_bytes()
    {
        var card = new VirtualCccdCard(Profile("nguyen-van-an"));
        Send(card, SelectApplet);
        Send(card, "00A4020C02010D");
        byte[] response = card.Process(Hex.Bytes("00B0000000"));
        Assert.Equal(258, response.Length);
        Assert.Equal("9000", Hex.Of(response.AsSpan(256)));
    }

    [Fact]
    public void Random_apdus_never_throw()
    {
        var card = new VirtualCccdCard(Profile("le-hoang-nam"));
        var random = new Random(1234);
        for (int i = 0; i < 20000; i++)
        {
            byte[] apdu = new byte[random.Next(0, 40)];
            random.NextBytes(apdu);
            if (i % 3 == 0 && apdu.Length > 1) apdu[0] = 0x00;
            byte[] response = card.Process(apdu);
            Assert.True(response.Length >= 2);
        }
    }
}
