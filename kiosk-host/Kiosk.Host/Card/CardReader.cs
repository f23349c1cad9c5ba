using Kiosk.Emrtd;

namespace Kiosk.Host.Card;

/// <summary>
/// Reads a CCCD: SELECT the eMRTD application, read EF.DG1 and EF.DG13, parse them. Without an access key the APDUs are
/// plain, as on the foundation's card. With one, the chip is opened first (<see cref="CardAccessControl"/>: PACE when it
/// has EF.CardAccess, BAC with an MRZ key) and the same reads go through secure messaging.
/// </summary>
public sealed class CardReader(ICardChannel channel, CardAccessKey? accessKey = null)
{
    private ICardChannel _channel = channel;
    private bool _opened;

    /// <summary>Nonces and ephemeral keys of PACE/BAC; tests replay a worked example through it.</summary>
    internal RandomBytes Random { get; init; } = RandomSource.System;

    public const ushort FidDg1 = 0x0101;
    public const ushort FidDg13 = 0x010D;
    /// <summary>Largest READ BINARY block (fits one short APDU answer through secure messaging later).</summary>
    public const int MaxBlock = 0xDF;
    /// <summary>Plain READ BINARY offsets are 15-bit.</summary>
    public const int MaxFileLength = 0x7FFF;

    public async Task<CardIdentity> ReadIdentityAsync(DateOnly today, CancellationToken ct)
    {
        if (accessKey is not null && !_opened)
        {
            _channel = await CardAccessControl.OpenAsync(_channel, accessKey, Random, ct);
            _opened = true;
        }
        await CheckAsync("select application", Apdus.SelectApplication(Apdus.EmrtdAid), ct);
        var dg1 = await ReadFileAsync(FidDg1, ct);
        var mrz = Dg1Parser.Parse(dg1);
        Dg13? dg13 = null;
        try
        {
            var dg13Bytes = await ReadFileAsync(FidDg13, ct);
            dg13 = Dg13Parser.Parse(dg13Bytes);
        }
        catch (CardStatusException e) when (e.StatusWord is 0x6A82)
        {
            // No DG13 on this card: the identity comes from the MRZ only.
        }
        return CardIdentity.From(mrz, dg13, today);
    }

    /// <summary>Selects an EF and reads it whole: 4 bytes for the TLV header, then the rest in blocks.</summary>
    public async Task<byte[]> ReadFileAsync(ushort fid, CancellationToken ct)
    {
        await CheckAsync($"select {fid:X4}", Apdus.SelectFile(fid), ct);
        var head = await ReadBlockAsync(0, 4, ct);
        var (_, _, headerLength, valueLength) = BerTlv.ReadHeader(head);
        var total = headerLength + valueLength;
        if (total > MaxFileLength) throw new CardDataException(CardDataError.LengthTooLarge, $"EF {fid:X4}: {total} bytes");

        var file = new byte[total];
        var have = Math.Min(head.Length, total);
        head.AsSpan(0, have).CopyTo(file);
        while (have < total)
        {
            var block = await ReadBlockAsync(have, Math.Min(MaxBlock, total - have), ct);
            if (block.Length == 0) throw new CardDataException(CardDataError.Truncated, $"EF {fid:X4}: card returned no data at {have}");
            var n = Math.Min(block.Length, total - have);
            block.AsSpan(0, n).CopyTo(file.AsSpan(have));
            have += n;
        }
        return file;
    }

    private async Task<byte[]> ReadBlockAsync(int offset, int le, CancellationToken ct)
    {
        var response = ResponseApdu.Parse(await _channel.TransmitAsync(Apdus.ReadBinary(offset, le), ct));
        if ((response.StatusWord & 0xFF00) == 0x6C00)
        {
            // Wrong Le: resend with the exact length available.
            var exact = response.StatusWord & 0xFF;
            response = ResponseApdu.Parse(await _channel.TransmitAsync(Apdus.ReadBinary(offset, exact == 0 ? 256 : exact), ct));
        }
        if (response.IsSuccess || response.StatusWord == 0x6282) return response.Data;
        throw new CardStatusException($"read binary at {offset}", response.StatusWord);
    }

    private async Task CheckAsync(string step, byte[] command, CancellationToken ct)
    {
        var response = ResponseApdu.Parse(await _channel.TransmitAsync(command, ct));
        if (!response.IsSuccess) throw new CardStatusException(step, response.StatusWord);
    }
}
