using Kiosk.Host.Card;
using Kiosk.Host.Devices;
using Kiosk.Host.Tests.Support;

namespace Kiosk.Host.Tests.Card;

public class CardReaderTests
{
    [Fact]
    public async Task Reads_EF_COM_DG1_and_DG13_with_the_foundation_APDUs()
    {
        var card = TestCard.Sample();
        var identity = await new CardReader(card).ReadIdentityAsync(new DateOnly(2026, 11, 26), CancellationToken.None);

        Assert.Equal("001099012345", identity.IdNumber);
        Assert.Equal("Nguyễn Văn An", identity.FullName);
        Assert.Equal("Trần Thị Cúc", identity.MotherName);
        Assert.Equal(new DateOnly(1999, 1, 1), identity.DateOfBirth);

        Assert.Equal("00A4020C022F01", Convert.ToHexString(card.Commands[0])); // EF.ATR/INFO: none, so short blocks
        Assert.Equal("00A4040C07A0000002471001", Convert.ToHexString(card.Commands[1]));
        // The full read starts with EF.SOD, whose signed list says what to read. This card refuses short EF identifiers
        // (6D00): one try, then SELECT for every file; it has no EF.SOD (6A82), so the unsigned EF.COM is asked what
        // it holds; it has none either (6A82), so DG1 and DG13 are read.
        Assert.Equal("00B09D00DF", Convert.ToHexString(card.Commands[2]));
        Assert.Equal("00A4020C02011D", Convert.ToHexString(card.Commands[3]));
        Assert.Equal("00A4020C02011E", Convert.ToHexString(card.Commands[4]));
        Assert.Equal("00A4020C020101", Convert.ToHexString(card.Commands[5]));
        Assert.Equal("00B00000DF", Convert.ToHexString(card.Commands[6])); // DG1 = 95 bytes: one read (6282, short)
        Assert.Equal("00A4020C02010D", Convert.ToHexString(card.Commands[7]));
        Assert.All(card.Commands.Where(c => c[1] == 0xB0), c => Assert.InRange(c[4], 1, 0xDF));
    }

    [Fact]
    public async Task Large_file_is_read_in_blocks_of_at_most_DF()
    {
        var big = Der.Tlv(0x6D, new byte[600]);
        var card = new TestCard(new() { [0x010D] = big });
        await card.TransmitAsync(Apdus.SelectApplication(Apdus.EmrtdAid), CancellationToken.None);
        var file = await new CardReader(card).ReadFileAsync(0x010D, CancellationToken.None);
        Assert.Equal(big, file);
        var reads = card.Commands.Where(c => c[1] == 0xB0).Select(c => ((c[2] << 8) | c[3], (int)c[4])).ToList();
        Assert.Equal([(0, 0xDF), (0xDF, 0xDF), (2 * 0xDF, 604 - 2 * 0xDF)], reads);
    }

    [Fact]
    public async Task Missing_DG13_falls_back_to_the_MRZ()
    {
        var card = new TestCard(new() { [0x0101] = TestCard.Dg1() });
        var identity = await new CardReader(card).ReadIdentityAsync(new DateOnly(2026, 11, 26), CancellationToken.None);
        Assert.Equal("001099012345", identity.IdNumber);
        Assert.Equal("NGUYEN VAN A", identity.FullName);
        Assert.Equal("Nam", identity.Sex);
    }

    [Fact]
    public async Task Card_removed_during_the_read_is_reported_through_the_firmware_channel()
    {
        var card = TestCard.Sample();
        card.Present = false;
        var channel = new FirmwareCardChannel(new FakeFirmwareLink(card));
        await Assert.ThrowsAsync<CardUnavailableException>(() => new CardReader(channel).ReadIdentityAsync(new DateOnly(2026, 11, 26), CancellationToken.None));
    }

    [Fact]
    public async Task Refused_select_is_a_status_error()
    {
        var card = new TestCard(new());
        var e = await Assert.ThrowsAsync<CardStatusException>(() => new CardReader(card).ReadIdentityAsync(new DateOnly(2026, 11, 26), CancellationToken.None));
        Assert.Equal(0x6A82, e.StatusWord);
    }
}
