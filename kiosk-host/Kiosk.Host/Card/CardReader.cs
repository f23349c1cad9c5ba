using Kiosk.Emrtd;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Lds;

namespace Kiosk.Host.Card;

/// <summary>
/// Reads a CCCD: SELECT the eMRTD application, read its files (by short EF identifier, SELECT as fallback) and parse
/// them; the full read and its verification are in <c>CardFullRead.cs</c> (<see cref="ReadAllAsync"/>). Blocks shrink when the card refuses their size; offsets beyond 32 767 use the odd INS B1. Without an access key the APDUs are
/// plain, as on the foundation's card. With one, the chip is opened first (<see cref="CardAccessControl"/>: PACE when it
/// has EF.CardAccess, BAC with an MRZ key) and the same reads go through secure messaging.
/// </summary>
public sealed partial class CardReader(ICardChannel channel, CardAccessKey? accessKey = null)
{
    private ICardChannel _channel = channel;
    private bool _opened;
    private bool _sfiRefused;
    private int _blockSize;
    private int _extendedBlock;
    private bool _atrInfoRead;

    /// <summary>Nonces and ephemeral keys of PACE/BAC; tests replay a worked example through it.</summary>
    internal RandomBytes Random { get; init; } = RandomSource.System;

    public const ushort FidCom = 0x011E;
    public const ushort FidSod = 0x011D;
    public const ushort FidDg1 = 0x0101;
    public const ushort FidDg2 = 0x0102;
    public const ushort FidDg13 = 0x010D;
    public const ushort FidDg14 = 0x010E;
    public const ushort FidDg15 = 0x010F;
    /// <summary>EF.ATR/INFO under the MF: where a card declares extended length (DO 7F66).</summary>
    public const ushort FidAtrInfo = 0x2F01;
    /// <summary>Largest READ BINARY block in short length (fits one short APDU answer through secure messaging).</summary>
    public const int MaxBlock = 0xDF;
    /// <summary>Block sizes tried, largest first, when the card refuses a block (6282 without data, 6B00, 6700).</summary>
    public static readonly IReadOnlyList<int> FallbackBlocks = [0xA0, 0x80, 0x40, 0x20];
    /// <summary>Plain READ BINARY (B0) offsets are 15-bit; beyond that the odd INS B1 with a DO54 offset.</summary>
    public const int MaxEvenInsOffset = 0x7FFF;
    /// <summary>Largest EF this reader accepts (bounded memory against a lying length field): 1 MiB.</summary>
    public const int MaxFileLength = 0x100000;
    /// <summary>READ BINARY commands one file may take at most (a card answering one byte at a time is cut off).</summary>
    public const int MaxReadsPerFile = 4096;

    /// <summary>
    /// Largest block per READ BINARY. Up to 256 in short length (default <see cref="MaxBlock"/>); more (up to 65,536)
    /// sends extended-length APDUs: only when the card's EF.ATR/INFO and the reader allow it.
    /// </summary>
    public int BlockSize { get; init; } = MaxBlock;

    /// <summary>
    /// The block size now used: <see cref="BlockSize"/>, or the extended block the card declared in EF.ATR/INFO, or
    /// smaller after the card refused it.
    /// </summary>
    public int CurrentBlockSize => _blockSize != 0 ? _blockSize : _extendedBlock != 0 ? _extendedBlock : BlockSize;

    /// <summary>
    /// Opens the chip with the access key (once) and selects the eMRTD application. PACE runs at the MF and the
    /// application is selected under secure messaging; BAC (ICAO 9303-11 §4.3) runs inside the application, which
    /// access control then selected first, in plain (EF.ATR/INFO under the MF is not read then: short blocks).
    /// </summary>
    public async Task OpenAsync(CancellationToken ct)
    {
        bool applicationSelected = false;
        if (accessKey is not null && !_opened)
        {
            (_channel, applicationSelected) = await CardAccessControl.OpenAsync(_channel, accessKey, Random, ct);
            _opened = true;
        }
        if (!_atrInfoRead && BlockSize == MaxBlock && !applicationSelected)
        {
            _atrInfoRead = true;
            _extendedBlock = await ExtendedBlockFromAtrInfoAsync(ct);
        }
        if (!applicationSelected) await CheckAsync("select application", Apdus.SelectApplication(Apdus.EmrtdAid), ct);
    }

    /// <summary>
    /// The identity from the full read (<see cref="ReadAllAsync"/>), verified against no trust store: passive
    /// authentication says <c>untrusted</c> at best. The session and <c>kioskctl</c> use <see cref="ReadVerifiedAsync"/>.
    /// </summary>
    public async Task<CardIdentity> ReadIdentityAsync(DateOnly today, CancellationToken ct) =>
        (await ReadVerifiedAsync(Kiosk.Emrtd.PassiveAuthentication.CscaTrustStore.Empty(),
            new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), today, ct)).Identity;

    /// <summary>
    /// Active authentication with the DG15 key: INTERNAL AUTHENTICATE with a fresh 8-byte challenge through the open
    /// channel (secure messaging when the chip was opened with PACE/BAC). <see cref="ChipCheck.Passed"/> or <see cref="ChipCheck.Failed"/>.
    /// </summary>
    public async Task<ChipCheck> ActiveAuthenticateAsync(byte[] dg15File, byte[]? dg14File, CancellationToken ct)
    {
        var key = CardDataException.Wrap(() => Dg15.Parse(dg15File));
        var info = dg14File is null ? null : CardDataException.Wrap(() => Dg14.Parse(dg14File)).ActiveAuthentication;
        byte[] challenge = Random(Emrtd.ActiveAuthentication.ActiveAuthenticationSteps.ChallengeLength);
        var command = Emrtd.ActiveAuthentication.ActiveAuthenticationSteps.InternalAuthenticate(challenge);
        ResponseApdu answer;
        try { answer = ResponseApdu.Parse(await _channel.TransmitAsync(command.Encode(), ct)); }
        catch (CardDataException e) when (e.Error == CardDataError.SecureMessaging) { return ChipCheck.Failed; }
        if (!answer.IsSuccess) return ChipCheck.Failed;
        try { return Emrtd.ActiveAuthentication.ActiveAuthenticationSteps.Verify(key, challenge, answer.Data, info) ? ChipCheck.Passed : ChipCheck.Failed; }
        catch (EmrtdException) { return ChipCheck.Failed; }
    }

    /// <summary>True when DG14 holds a chip-authentication key or info (a DG14 with only active-authentication info offers none).</summary>
    public static bool OffersChipAuthentication(Dg14 dg14) => dg14.ChipAuthenticationPublicKeys.Count > 0 || dg14.ChipAuthenticationInfos.Count > 0;

    /// <summary>
    /// Chip authentication v1 with the DG14 key (3DES: MSE:Set KAT; AES: MSE:Set AT + GENERAL AUTHENTICATE), then secure
    /// messaging restarts with the new keys and one READ BINARY under them proves the chip holds the private key.
    /// <see cref="ChipCheck.NotSupported"/> when DG14 offers no chip-authentication key, <see cref="ChipCheck.UnknownProtocol"/>
    /// when it offers one this reader cannot run; needs an open secure-messaging channel (<see cref="ChipCheck.NotPerformed"/>
    /// without); a failure leaves the channel unusable.
    /// </summary>
    public async Task<ChipCheck> ChipAuthenticateAsync(byte[] dg14File, CancellationToken ct)
    {
        var dg14 = CardDataException.Wrap(() => Dg14.Parse(dg14File));
        if (!OffersChipAuthentication(dg14)) return ChipCheck.NotSupported;
        if (dg14.Preferred() is not var (keyInfo, protocol)) return ChipCheck.UnknownProtocol;
        Emrtd.Crypto.CipherKind cipher;
        try { cipher = Emrtd.ChipAuthentication.ChipAuthenticationSteps.Cipher(protocol); }
        catch (UnsupportedProtocolException) { return ChipCheck.UnknownProtocol; }
        if (_channel is not SecureMessagingChannel secure) return ChipCheck.NotPerformed;
        try
        {
            var ephemeral = Emrtd.ChipAuthentication.ChipAuthenticationSteps.GenerateEphemeralKey(keyInfo.PublicKey, Random);
            CommandApdu[] commands = cipher == Emrtd.Crypto.CipherKind.TripleDes
                ? [Emrtd.ChipAuthentication.ChipAuthenticationSteps.SetKeyAgreementTemplate(ephemeral.PublicKey, keyInfo.KeyId)]
                : [Emrtd.ChipAuthentication.ChipAuthenticationSteps.SetAuthenticationTemplate(protocol, keyInfo.KeyId),
                   Emrtd.ChipAuthentication.ChipAuthenticationSteps.GeneralAuthenticate(ephemeral.PublicKey)];
            foreach (var command in commands)
                if (!ResponseApdu.Parse(await _channel.TransmitAsync(command.Encode(), ct)).IsSuccess) return ChipCheck.Failed;
            byte[] shared = Emrtd.ChipAuthentication.ChipAuthenticationSteps.SharedSecret(keyInfo.PublicKey, ephemeral.PrivateValue, keyInfo.PublicKey.KeyBits);
            secure.Session = Emrtd.ChipAuthentication.ChipAuthenticationSteps.DeriveSessionKeys(shared, cipher).StartSession();
            var confirm = ResponseApdu.Parse(await _channel.TransmitAsync(ReadBinaryApdus.ShortFileId(0x1E, 0, 1), ct));
            return confirm.IsSuccess ? ChipCheck.Passed : ChipCheck.Failed;
        }
        catch (CardDataException e) when (e.Error == CardDataError.SecureMessaging) { return ChipCheck.Failed; }
        catch (EmrtdException) { return ChipCheck.Failed; }
    }

    /// <summary>
    /// Extended length only when the card declares it: EF.ATR/INFO (read from the MF, before the application is
    /// selected) with DO 7F66. A card without the file (the CCCD by default) costs one SELECT answered 6A82. The reader
    /// side allows it: the firmware chains PN532 frames both ways (docs/mqtt.md).
    /// </summary>
    private async Task<int> ExtendedBlockFromAtrInfoAsync(CancellationToken ct)
    {
        if (!ResponseApdu.Parse(await _channel.TransmitAsync(Apdus.SelectFile(FidAtrInfo), ct)).IsSuccess) return 0;
        var read = ResponseApdu.Parse(await _channel.TransmitAsync(ReadBinaryApdus.Offset(0, 256), ct));
        bool answered = read.IsSuccess || (read.StatusWord == 0x6282 && read.Data.Length > 0);
        return answered ? ReadBinaryApdus.ExtendedBlockFromAtrInfo(read.Data) : 0;
    }

    /// <summary>An LDS file of the selected application, or null when the card has none (6A82).</summary>
    public async Task<byte[]?> TryReadLdsFileAsync(ushort fid, CancellationToken ct)
    {
        try { return await ReadLdsFileAsync(fid, ct); }
        catch (CardStatusException e) when (e.StatusWord is 0x6A82) { return null; }
    }

    /// <summary>
    /// Reads an LDS file (EF.COM, EF.SOD, DG1..DG16) of the selected application: by its short EF identifier
    /// (READ BINARY with P1 = 80 | SFI selects and reads in one command, saving a SELECT), falling back to SELECT once
    /// the card refuses short identifiers.
    /// </summary>
    public async Task<byte[]> ReadLdsFileAsync(ushort fid, CancellationToken ct)
    {
        if (!_sfiRefused && ShortFileId(fid) is int sfi)
        {
            byte[]? head = await TryReadHeadBySfiAsync(fid, sfi, ct);
            if (head is not null) return await ReadRestAsync(fid, head, ct);
            _sfiRefused = true;
        }
        return await ReadFileAsync(fid, ct);
    }

    /// <summary>The SFI of an eMRTD file (its FID's low 5 bits for 01xx files), or null.</summary>
    public static int? ShortFileId(ushort fid) => (fid >> 8) == 0x01 && (fid & 0xFF) is > 0 and <= 0x1E ? fid & 0x1F : null;

    /// <summary>Selects an EF and reads it whole: a first block that holds the TLV header, then the rest in blocks.</summary>
    public async Task<byte[]> ReadFileAsync(ushort fid, CancellationToken ct)
    {
        await CheckAsync($"select {fid:X4}", Apdus.SelectFile(fid), ct);
        var head = await ReadBlockAsync(0, CurrentBlockSize, ct);
        return await ReadRestAsync(fid, head, ct);
    }

    /// <summary>
    /// The first bytes of a file read by SFI; null when the card does not take short EF identifiers. The first read asks
    /// for a whole block, not just the 4-byte TLV header: EF.COM, DG1, DG14 and DG15 then come in one command and every
    /// larger file needs one command fewer. A card that refuses that length is asked for the header alone.
    /// </summary>
    private async Task<byte[]?> TryReadHeadBySfiAsync(ushort fid, int sfi, CancellationToken ct)
    {
        var response = ResponseApdu.Parse(await _channel.TransmitAsync(ReadBinaryApdus.ShortFileId(sfi, 0, CurrentBlockSize), ct));
        ushort sw = response.StatusWord;
        if (sw is 0x6700 or 0x6B00 || (sw & 0xFF00) == 0x6C00 || (sw == 0x6282 && response.Data.Length == 0))
            response = ResponseApdu.Parse(await _channel.TransmitAsync(ReadBinaryApdus.ShortFileId(sfi, 0, 4), ct));
        if (response.IsSuccess || (response.StatusWord == 0x6282 && response.Data.Length > 0)) return response.Data;
        // The card knows short identifiers and says the file is not there (DG13 missing), or it is locked.
        if (response.StatusWord is 0x6A82 or 0x6982) throw new CardStatusException($"read binary {fid:X4}", response.StatusWord);
        // 6A86, 6D00, 6B00, …: no short identifiers on this card; SELECT from now on.
        return null;
    }

    private async Task<byte[]> ReadRestAsync(ushort fid, byte[] head, CancellationToken ct)
    {
        if (head.Length < 2) throw new CardDataException(CardDataError.Truncated, $"EF {fid:X4}: header of {head.Length} bytes");
        int headerLength, valueLength;
        if (!TryHeader(fid, head, out headerLength, out valueLength))
        {
            // Three or four length bytes (0x83/0x84): the header is longer than the first read.
            if (head.Length >= 8) throw new CardDataException(CardDataError.Truncated, $"EF {fid:X4}: header of {head.Length} bytes");
            byte[] more = await ReadBlockAsync(head.Length, 8 - head.Length, ct);
            head = [.. head, .. more];
            if (!TryHeader(fid, head, out headerLength, out valueLength))
                throw new CardDataException(CardDataError.Truncated, $"EF {fid:X4}: header of {head.Length} bytes");
        }
        long total = (long)headerLength + valueLength;
        if (total > MaxFileLength) throw new CardDataException(CardDataError.LengthTooLarge, $"EF {fid:X4}: {total} bytes");

        var file = new byte[total];
        var have = (int)Math.Min(head.Length, total);
        head.AsSpan(0, have).CopyTo(file);
        int reads = 0;
        // The blocks go pipelined once a read at the current block size has succeeded: the header read itself when it
        // was a whole block, else the first block below (after its fallbacks).
        bool pipelined = head.Length >= CurrentBlockSize;
        if (pipelined) have = await ReadBlocksPipelinedAsync(fid, file, have, ct);
        while (have < total)
        {
            if (++reads > MaxReadsPerFile) throw new CardDataException(CardDataError.Truncated, $"EF {fid:X4}: more than {MaxReadsPerFile} reads");
            var block = await ReadBlockAsync(have, (int)Math.Min(CurrentBlockSize, total - have), ct);
            if (block.Length == 0) throw new CardDataException(CardDataError.Truncated, $"EF {fid:X4}: card returned no data at {have}");
            var n = (int)Math.Min(block.Length, total - have);
            block.AsSpan(0, n).CopyTo(file.AsSpan(have));
            have += n;
            if (!pipelined && n == CurrentBlockSize)
            {
                pipelined = true;
                have = await ReadBlocksPipelinedAsync(fid, file, have, ct);
            }
        }
        return file;
    }

    /// <summary>
    /// The rest of a file whose length the header told: every block is known in advance, at a block size the card has
    /// just accepted, so the channel may keep several in flight (the MQTT relay does). Returns how many bytes it has;
    /// at the first block that does not come back whole and 9000 it stops, and the one-block path goes on from there
    /// (with its fallbacks for refused block sizes). The commands behind that block reached the card too; the counter
    /// of secure messaging stays in step because every one of them was counted.
    /// </summary>
    private async Task<int> ReadBlocksPipelinedAsync(ushort fid, byte[] file, int have, CancellationToken ct)
    {
        int block = CurrentBlockSize;
        var offsets = new List<int>();
        for (long offset = have; offset < file.Length; offset += block) offsets.Add((int)offset);
        if (offsets.Count < 2) return have;
        if (offsets.Count > MaxReadsPerFile) throw new CardDataException(CardDataError.Truncated, $"EF {fid:X4}: more than {MaxReadsPerFile} reads");
        var commands = offsets.Select(o => o <= MaxEvenInsOffset ? ReadBinaryApdus.Offset(o, (int)Math.Min(block, file.Length - o)) : ReadBinaryApdus.OddIns(o, (int)Math.Min(block, file.Length - o))).ToList();
        IReadOnlyList<byte[]> answers = await _channel.TransmitAllAsync(commands, ct);
        for (int i = 0; i < offsets.Count; i++)
        {
            var response = ResponseApdu.Parse(answers[i]);
            byte[] data = offsets[i] > MaxEvenInsOffset && response.Data.Length > 0 ? ReadBinaryApdus.UnwrapDiscretionaryData(response.Data) : response.Data;
            int wanted = (int)Math.Min(block, file.Length - offsets[i]);
            if (!response.IsSuccess || data.Length != wanted) return have;
            data.CopyTo(file.AsSpan(offsets[i]));
            have = offsets[i] + wanted;
        }
        return have;
    }

    private static bool TryHeader(ushort fid, byte[] head, out int headerLength, out int valueLength)
    {
        try { return BerTlv.TryReadHeader(head, out _, out headerLength, out valueLength); }
        catch (EmrtdException e) { throw new CardDataException(CardDataError.Malformed, e); }
    }

    /// <summary>
    /// One READ BINARY of the current EF. Wrong Le (6Cxx) is resent with the card's length; a refused block size
    /// (6B00, 6700, or 6282 without data) is retried with the next smaller size, which is then kept for this card.
    /// </summary>
    private async Task<byte[]> ReadBlockAsync(int offset, int le, CancellationToken ct)
    {
        bool exactTried = false;
        while (true)
        {
            var response = await TransmitReadAsync(offset, le, ct);
            ushort sw = response.StatusWord;
            if (response.IsSuccess) return response.Data;
            if (sw == 0x6282 && response.Data.Length > 0) return response.Data; // end of file before Le: a short read
            if ((sw & 0xFF00) == 0x6C00 && !exactTried)
            {
                exactTried = true;
                var exact = sw & 0xFF;
                le = exact == 0 ? 256 : exact;
                continue;
            }
            if (sw is 0x6282 or 0x6B00 or 0x6700 || (sw & 0xFF00) == 0x6C00)
            {
                int? smaller = SmallerBlock(le);
                if (smaller is int next)
                {
                    _blockSize = Math.Min(CurrentBlockSize, next);
                    le = next;
                    continue;
                }
            }
            throw new CardStatusException($"read binary at {offset}", sw);
        }
    }

    private static int? SmallerBlock(int le)
    {
        foreach (int size in FallbackBlocks)
            if (size < le) return size;
        return null;
    }

    private async Task<ResponseApdu> TransmitReadAsync(int offset, int le, CancellationToken ct)
    {
        if (offset <= MaxEvenInsOffset)
            return ResponseApdu.Parse(await _channel.TransmitAsync(ReadBinaryApdus.Offset(offset, le), ct));
        var response = ResponseApdu.Parse(await _channel.TransmitAsync(ReadBinaryApdus.OddIns(offset, le), ct));
        return response.Data.Length == 0 ? response : response with { Data = ReadBinaryApdus.UnwrapDiscretionaryData(response.Data) };
    }

    private async Task CheckAsync(string step, byte[] command, CancellationToken ct)
    {
        var response = ResponseApdu.Parse(await _channel.TransmitAsync(command, ct));
        if (!response.IsSuccess) throw new CardStatusException(step, response.StatusWord);
    }
}

/// <summary>READ BINARY in its three forms: 15-bit offset (B0), short EF identifier (B0, P1 = 80 | SFI), odd INS (B1, DO54).</summary>
public static class ReadBinaryApdus
{
    /// <summary>
    /// Largest block asked for with extended length. The firmware assembles answers up to 64 KiB, but beyond a few KB
    /// a larger block saves no time and costs the ESP32 memory.
    /// </summary>
    public const int MaxExtendedBlock = 0x1000;

    /// <summary>What secure messaging wraps around a block's data: DO87 (tag, length, padding indicator, padding), DO99, DO8E.</summary>
    public const int SecureMessagingOverhead = 64;

    /// <summary>
    /// The READ BINARY block a card's EF.ATR/INFO allows: DO 7F66 (ISO/IEC 7816-4, extended length information) holds
    /// two INTEGERs, the largest command and the largest response; the block is the response less the secure-messaging
    /// wrapping, at most <see cref="MaxExtendedBlock"/>. 0 (short blocks) when the file does not declare more than 256.
    /// </summary>
    public static int ExtendedBlockFromAtrInfo(ReadOnlySpan<byte> atrInfo)
    {
        try
        {
            if (BerTlv.Find(BerTlv.ParseAll(atrInfo), 0x7F66) is not { } info) return 0;
            var limits = BerTlv.ParseAll(info.Value);
            if (limits.Count < 2 || limits[1].Tag != 0x02 || limits[1].Value.Length is 0 or > 3) return 0;
            int maxResponse = 0;
            foreach (byte b in limits[1].Value) maxResponse = (maxResponse << 8) | b;
            int block = Math.Min(maxResponse - SecureMessagingOverhead, MaxExtendedBlock);
            return block > 256 ? block : 0;
        }
        catch (EmrtdException) { return 0; } // a garbled EF.ATR/INFO means short blocks, not a failed read
    }

    /// <summary><c>00 B0 P1P2 Le</c>, extended Le (<c>00 LeHi LeLo</c>) above 256.</summary>
    public static byte[] Offset(int offset, int le)
    {
        if (offset is < 0 or > 0x7FFF) throw new ArgumentOutOfRangeException(nameof(offset));
        return WithLe([0x00, 0xB0, (byte)(offset >> 8), (byte)offset], le);
    }

    /// <summary><c>00 B0 (80|SFI) offset Le</c>: selects the EF and reads from an offset of 0..255.</summary>
    public static byte[] ShortFileId(int sfi, int offset, int le)
    {
        if (sfi is < 1 or > 30) throw new ArgumentOutOfRangeException(nameof(sfi));
        if (offset is < 0 or > 0xFF) throw new ArgumentOutOfRangeException(nameof(offset));
        return WithLe([0x00, 0xB0, (byte)(0x80 | sfi), (byte)offset], le);
    }

    /// <summary><c>00 B1 00 00 Lc 54 L offset Le</c>: the offset in a DO54 of 1 to 3 bytes; the answer comes in a DO53.</summary>
    public static byte[] OddIns(int offset, int le)
    {
        if (offset is < 0 or > 0xFFFFFF) throw new ArgumentOutOfRangeException(nameof(offset));
        byte[] value = offset <= 0xFF ? [(byte)offset] : offset <= 0xFFFF ? [(byte)(offset >> 8), (byte)offset] : [(byte)(offset >> 16), (byte)(offset >> 8), (byte)offset];
        // DO53 adds up to 4 bytes of header to the answer.
        int ne = Math.Min(le + (le < 0x80 ? 2 : le <= 0xFF ? 3 : 4), le > 256 ? 65536 : 256);
        byte[] data = [0x54, (byte)value.Length, .. value];
        return WithLe([0x00, 0xB1, 0x00, 0x00, (byte)data.Length, .. data], ne);
    }

    /// <summary>The content of the DO53 an odd-INS READ BINARY answers with.</summary>
    public static byte[] UnwrapDiscretionaryData(byte[] data)
    {
        if (!BerTlv.TryReadHeader(data, out int tag, out int header, out int length) || header + length > data.Length)
            throw new CardDataException(CardDataError.Truncated, "READ BINARY (B1): DO53 cut short");
        if (tag != 0x53) throw new CardDataException(CardDataError.Malformed, $"READ BINARY (B1): tag {tag:X} instead of 53");
        return data.AsSpan(header, length).ToArray();
    }

    private static byte[] WithLe(byte[] header, int le)
    {
        if (le is < 1 or > 65536) throw new ArgumentOutOfRangeException(nameof(le));
        bool lcPresent = header.Length > 4;
        if (le <= 256) return [.. header, (byte)(le == 256 ? 0 : le)];
        int l = le == 65536 ? 0 : le;
        // Extended: Le as 00 HI LO without data; after an (extended) Lc as HI LO. Short Lc with extended Le is not allowed.
        if (!lcPresent) return [.. header, 0x00, (byte)(l >> 8), (byte)l];
        int lc = header[4];
        return [.. header.AsSpan(0, 4), 0x00, 0x00, (byte)lc, .. header.AsSpan(5), (byte)(l >> 8), (byte)l];
    }
}
