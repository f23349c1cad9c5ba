using Kiosk.Host.Card;
using Kiosk.Host.Tests.Support;

namespace Kiosk.Host.Tests.Card;

/// <summary>
/// READ BINARY strategies: short EF identifiers, odd INS B1 with DO54 for offsets beyond 32 767, extended length,
/// block-size fallback on 6282 / 6B00 / 6Cxx / 6700, SELECT MF refused with 6D00, bounded reads.
/// </summary>
public class CardReaderBlockTests
{
    /// <summary>
    /// A chip with LDS files reachable by SFI, SELECT, B0 and B1. <see cref="MaxLe"/> and <see cref="Refusal"/> say how it
    /// answers a block that is too long; <see cref="Sfi"/> whether it takes short EF identifiers.
    /// </summary>
    private sealed class BlockCard(Dictionary<ushort, byte[]> files) : ICardChannel
    {
        private ushort? _selected;
        public List<byte[]> Commands { get; } = [];
        public int MaxLe { get; init; } = 65536;
        public ushort Refusal { get; init; } = 0x6700;
        public bool Sfi { get; init; } = true;
        /// <summary>Answer every read with at most this many bytes (a lazy or hostile chip).</summary>
        public int Dribble { get; init; } = int.MaxValue;

        public Task<byte[]> TransmitAsync(byte[] c, CancellationToken ct)
        {
            Commands.Add(c);
            return Task.FromResult(Answer(c));
        }

        private byte[] Answer(byte[] c)
        {
            var apdu = Kiosk.Emrtd.Iso7816.CommandApdu.Parse(c);
            switch (apdu.Ins)
            {
                case 0xA4 when apdu.P1 == 0x04: return [0x90, 0x00];
                case 0xA4 when apdu.P1 == 0x00: return [0x6D, 0x00];
                case 0xA4 when apdu.P1 == 0x02:
                    ushort fid = (ushort)((apdu.Data[0] << 8) | apdu.Data[1]);
                    if (!files.ContainsKey(fid)) return [0x6A, 0x82];
                    _selected = fid;
                    return [0x90, 0x00];
                case 0xB0 when (apdu.P1 & 0x80) != 0:
                    if (!Sfi) return [0x6A, 0x86];
                    ushort bySfi = (ushort)(0x0100 | (apdu.P1 & 0x1F));
                    if (!files.ContainsKey(bySfi)) return [0x6A, 0x82];
                    _selected = bySfi;
                    return Read(apdu.P2, apdu.Ne, wrap: false);
                case 0xB0: return Read((apdu.P1 << 8) | apdu.P2, apdu.Ne, wrap: false);
                case 0xB1:
                    Assert.Equal(0x54, apdu.Data[0]);
                    int offset = 0;
                    for (int i = 0; i < apdu.Data[1]; i++) offset = (offset << 8) | apdu.Data[2 + i];
                    return Read(offset, apdu.Ne, wrap: true);
                default: return [0x6D, 0x00];
            }
        }

        private byte[] Read(int offset, int ne, bool wrap)
        {
            if (_selected is not ushort sel) return [0x69, 0x86];
            if (ne > MaxLe) return Refusal == 0x6C00 ? [0x6C, (byte)MaxLe] : [(byte)(Refusal >> 8), (byte)Refusal];
            byte[] file = files[sel];
            if (offset > file.Length) return [0x6B, 0x00];
            int want = wrap ? Math.Max(1, ne - 4) : ne;
            int n = Math.Min(Math.Min(want, file.Length - offset), Dribble);
            byte[] data = file.AsSpan(offset, n).ToArray();
            if (wrap) data = Der.Tlv(0x53, data);
            return [.. data, .. (offset + n >= file.Length && n < want ? new byte[] { 0x62, 0x82 } : [0x90, 0x00])];
        }
    }

    private static byte[] File(byte tag, int valueLength)
    {
        byte[] value = new byte[valueLength];
        new Random(valueLength).NextBytes(value);
        return Der.Tlv(tag, value);
    }

    [Fact]
    public async Task Reads_by_short_ef_identifier_without_any_select()
    {
        var card = new BlockCard(new() { [0x0101] = TestCard.Dg1(), [0x010D] = TestCard.SampleDg13() });
        var identity = await new CardReader(card).ReadIdentityAsync(new DateOnly(2026, 11, 26), CancellationToken.None);
        Assert.Equal("Nguyễn Văn An", identity.FullName);
        Assert.Equal("00B09D00DF", Convert.ToHexString(card.Commands[2])); // EF.SOD first (this card has none: 6A82)
        Assert.Equal("00B09E00DF", Convert.ToHexString(card.Commands[3])); // then EF.COM, unsigned, to know what there is (none: 6A82)
        Assert.Equal("00B08100DF", Convert.ToHexString(card.Commands[4])); // DG1 whole in the first block
        // EF.ATR/INFO (none here: 6A82) and the application: no file is selected.
        Assert.Equal(["00A4020C022F01", "00A4040C07A0000002471001"], card.Commands.Where(c => c[1] == 0xA4).Select(Convert.ToHexString));
        Assert.Contains(card.Commands, c => Convert.ToHexString(c) == "00B08D00DF");
    }

    [Fact]
    public async Task Missing_dg13_by_sfi_is_not_found_and_sfi_stays_in_use()
    {
        var card = new BlockCard(new() { [0x0101] = TestCard.Dg1(), [0x010E] = File(0x6E, 10) });
        var reader = new CardReader(card);
        var identity = await reader.ReadIdentityAsync(new DateOnly(2026, 11, 26), CancellationToken.None);
        Assert.Equal("NGUYEN VAN A", identity.FullName);
        Assert.NotNull(await reader.TryReadLdsFileAsync(CardReader.FidDg14, CancellationToken.None));
        Assert.Equal(2, card.Commands.Count(c => c[1] == 0xA4)); // EF.ATR/INFO and the application only
    }

    [Fact]
    public async Task A_card_without_sfi_is_read_with_select_after_one_try()
    {
        var card = new BlockCard(new() { [0x0101] = TestCard.Dg1(), [0x010D] = TestCard.SampleDg13() }) { Sfi = false };
        await new CardReader(card).ReadIdentityAsync(new DateOnly(2026, 11, 26), CancellationToken.None);
        Assert.Single(card.Commands, c => c[1] == 0xB0 && (c[2] & 0x80) != 0);
        Assert.Contains(card.Commands, c => Convert.ToHexString(c) == "00A4020C020101");
        Assert.Contains(card.Commands, c => Convert.ToHexString(c) == "00A4020C02010D");
    }

    [Theory]
    [InlineData(0x6700)]
    [InlineData(0x6B00)]
    [InlineData(0x6282)]
    public async Task Refused_block_size_falls_back_to_smaller_blocks_and_keeps_them(int refusal)
    {
        byte[] dg2 = File(0x75, 1000);
        var card = new BlockCard(new() { [0x0102] = dg2 }) { MaxLe = 0x80, Refusal = (ushort)refusal };
        var reader = new CardReader(card);
        Assert.Equal(dg2, await reader.ReadLdsFileAsync(CardReader.FidDg2, CancellationToken.None));
        Assert.Equal(0x80, reader.CurrentBlockSize);
        var les = card.Commands.Where(c => c[1] == 0xB0).Select(c => c[4] == 0 ? 256 : c[4]).ToList();
        // A whole first block by SFI, refused: the 4-byte header instead; then the block size steps down and stays.
        Assert.Equal([0xDF, 4, 0xDF, 0xA0, 0x80], les.Take(5));
        Assert.All(les.Skip(5), le => Assert.True(le <= 0x80));
    }

    [Fact]
    public async Task Wrong_le_6Cxx_is_resent_with_the_cards_length()
    {
        byte[] dg1 = File(0x61, 300);
        var card = new BlockCard(new() { [0x0101] = dg1 }) { MaxLe = 0x70, Refusal = 0x6C00 };
        Assert.Equal(dg1, await new CardReader(card).ReadLdsFileAsync(CardReader.FidDg1, CancellationToken.None));
        Assert.Contains(card.Commands, c => c[1] == 0xB0 && c[4] == 0x70);
    }

    [Fact]
    public async Task Offsets_beyond_32767_use_odd_ins_with_do54()
    {
        byte[] dg2 = File(0x75, 40000);
        var card = new BlockCard(new() { [0x0102] = dg2 });
        Assert.Equal(dg2, await new CardReader(card).ReadLdsFileAsync(CardReader.FidDg2, CancellationToken.None));
        var odd = card.Commands.Where(c => c[1] == 0xB1).ToList();
        Assert.NotEmpty(odd);
        Assert.All(card.Commands.Where(c => c[1] == 0xB0 && (c[2] & 0x80) == 0), c => Assert.True(((c[2] << 8) | c[3]) <= 0x7FFF));
        // 00 B1 00 00 04 54 02 HI LO Le: the first read past 32 767.
        byte[] first = odd[0];
        Assert.Equal("00B1000004540280", Convert.ToHexString(first.AsSpan(0, 8)));
    }

    [Fact]
    public void Odd_ins_and_sfi_and_extended_apdus_are_byte_exact()
    {
        Assert.Equal("00B081000A", Convert.ToHexString(ReadBinaryApdus.ShortFileId(1, 0, 10)));
        Assert.Equal("00B09E0004", Convert.ToHexString(ReadBinaryApdus.ShortFileId(0x1E, 0, 4)));
        Assert.Equal("00B0000000", Convert.ToHexString(ReadBinaryApdus.Offset(0, 256)));
        Assert.Equal("00B0000400FFFF", Convert.ToHexString(ReadBinaryApdus.Offset(4, 0xFFFF)));
        Assert.Equal("00B00004000000", Convert.ToHexString(ReadBinaryApdus.Offset(4, 65536)));
        // Le covers the DO53 header: 0xE0 data bytes come as 53 81 E0 …
        Assert.Equal("00B1000003540180E3", Convert.ToHexString(ReadBinaryApdus.OddIns(0x80, 0xE0)));
        Assert.Equal("00B100000554030186A000", Convert.ToHexString(ReadBinaryApdus.OddIns(100000, 256)));
        // Extended: Lc 00 00 05, Le FF FF.
        Assert.Equal("00B100000000055403010000FFFF", Convert.ToHexString(ReadBinaryApdus.OddIns(0x010000, 0xFFFB)));
        Assert.Equal([1, 2, 3], ReadBinaryApdus.UnwrapDiscretionaryData([0x53, 0x03, 1, 2, 3]));
        Assert.Throws<CardDataException>(() => ReadBinaryApdus.UnwrapDiscretionaryData([0x54, 0x01, 1]));
        Assert.Throws<CardDataException>(() => ReadBinaryApdus.UnwrapDiscretionaryData([0x53, 0x05, 1]));
    }

    [Fact]
    public async Task Extended_length_reads_a_large_file_in_few_commands_when_allowed()
    {
        byte[] dg2 = File(0x75, 15000);
        var card = new BlockCard(new() { [0x0102] = dg2 });
        var reader = new CardReader(card) { BlockSize = 0x1000 };
        Assert.Equal(dg2, await reader.ReadLdsFileAsync(CardReader.FidDg2, CancellationToken.None));
        Assert.Equal(4, card.Commands.Count); // 15,004 bytes in blocks of up to 4096, the first by SFI
        Assert.All(card.Commands, c => Assert.Equal(7, c.Length)); // 00 B0 P1 P2 00 LeHi LeLo
    }

    [Theory]
    [InlineData("7F66080202080002021000", 4096 - 64)]            // largest response 4096: the block leaves room for SM
    [InlineData("7F6608020208000202FFFF", 4096)]                 // more than the reader's largest block: capped
    [InlineData("4703F4F7E27F660802020800020210005F5201AA", 4096 - 64)] // among other data objects
    [InlineData("7F6608020208000202013F", 0)]                    // 319 − 64 ≤ 256: short blocks
    [InlineData("7F660402020800", 0)]                            // no response limit
    [InlineData("470300", 0)]                                    // no 7F66
    [InlineData("7F66FF", 0)]                                    // garbled: short blocks, no error
    [InlineData("", 0)]
    public void Extended_block_comes_from_ef_atr_info(string hex, int block) =>
        Assert.Equal(block, ReadBinaryApdus.ExtendedBlockFromAtrInfo(Convert.FromHexString(hex)));

    [Fact]
    public async Task A_card_that_declares_extended_length_in_ef_atr_info_is_read_in_large_blocks()
    {
        byte[] dg2 = File(0x75, 15000);
        var card = new BlockCard(new() { [0x2F01] = Convert.FromHexString("7F66080202080002021000"), [0x0102] = dg2 });
        var reader = new CardReader(card);
        await reader.OpenAsync(CancellationToken.None);
        Assert.Equal(4096 - 64, reader.CurrentBlockSize);
        int before = card.Commands.Count;
        Assert.Equal(dg2, await reader.ReadLdsFileAsync(CardReader.FidDg2, CancellationToken.None));
        Assert.Equal(4, card.Commands.Count - before); // 15,004 bytes in blocks of 4,032
        Assert.All(card.Commands.Skip(before), c => Assert.Equal(7, c.Length)); // 00 B0 P1 P2 00 LeHi LeLo
    }

    [Fact]
    public async Task Without_ef_atr_info_the_card_is_read_in_short_blocks_and_a_refused_extended_block_falls_back()
    {
        var plain = new BlockCard(new() { [0x0102] = File(0x75, 1000) });
        var reader = new CardReader(plain);
        await reader.OpenAsync(CancellationToken.None);
        Assert.Equal(CardReader.MaxBlock, reader.CurrentBlockSize);
        Assert.Contains(plain.Commands, c => Convert.ToHexString(c) == "00A4020C022F01"); // one SELECT, answered 6A82

        // A card that declares extended length and then refuses it is read with short blocks all the same.
        byte[] dg2 = File(0x75, 3000);
        var liar = new BlockCard(new() { [0x2F01] = Convert.FromHexString("7F66080202080002021000"), [0x0102] = dg2 }) { MaxLe = 0xDF };
        var misled = new CardReader(liar);
        await misled.OpenAsync(CancellationToken.None);
        Assert.Equal(dg2, await misled.ReadLdsFileAsync(CardReader.FidDg2, CancellationToken.None));
        Assert.True(misled.CurrentBlockSize <= 0xDF);
    }

    [Fact]
    public async Task A_chip_dribbling_one_byte_per_read_is_cut_off()
    {
        byte[] big = File(0x75, 20000);
        var card = new BlockCard(new() { [0x0102] = big }) { Dribble = 1 };
        var e = await Assert.ThrowsAsync<CardDataException>(() => new CardReader(card).ReadLdsFileAsync(CardReader.FidDg2, CancellationToken.None));
        Assert.Equal(CardDataError.Truncated, e.Error);
        Assert.True(card.Commands.Count <= CardReader.MaxReadsPerFile + 2);
    }

    [Fact]
    public async Task A_huge_length_field_is_refused_before_reading()
    {
        byte[] liar = [0x75, 0x84, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0];
        var card = new BlockCard(new() { [0x0102] = liar });
        var e = await Assert.ThrowsAsync<CardDataException>(() => new CardReader(card).ReadLdsFileAsync(CardReader.FidDg2, CancellationToken.None));
        Assert.Equal(CardDataError.LengthTooLarge, e.Error);
        Assert.True(card.Commands.Count <= 3);
    }

    [Fact]
    public async Task Three_byte_lengths_are_read_with_a_longer_header()
    {
        byte[] value = new byte[70000];
        new Random(7).NextBytes(value);
        byte[] dg2 = [0x75, 0x83, 0x01, 0x11, 0x70, .. value];
        var card = new BlockCard(new() { [0x0102] = dg2 });
        Assert.Equal(dg2, await new CardReader(card) { BlockSize = 0x8000 }.ReadLdsFileAsync(CardReader.FidDg2, CancellationToken.None));
    }

    [Fact]
    public async Task Select_mf_answered_6D00_is_tolerated_when_ef_card_access_is_refused()
    {
        // A card without EF.CardAccess that refuses SELECT MF with 6D00, as a CCCD does: read in plain (no PACE), no error.
        var card = new BlockCard(new() { [0x0101] = TestCard.Dg1(), [0x010D] = TestCard.SampleDg13() });
        var reader = new CardReader(card, CardAccessKey.FromIdNumber("001099012345"));
        var identity = await reader.ReadIdentityAsync(new DateOnly(2026, 11, 26), CancellationToken.None);
        Assert.Equal("001099012345", identity.IdNumber);
        Assert.Contains(card.Commands, c => Convert.ToHexString(c) == "00A4000C");
    }
}
