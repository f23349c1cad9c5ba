using Kiosk.Emrtd;
using Kiosk.Emrtd.Bac;
using Kiosk.Emrtd.CardAccess;
using Kiosk.Emrtd.Pace;
using Kiosk.Emrtd.SecureMessaging;
using EmrtdResponseApdu = Kiosk.Emrtd.Iso7816.ResponseApdu;

namespace Kiosk.Host.Card;

/// <summary>
/// Opens the chip before the files are read. A card with EF.CardAccess gets PACE (CAN or MRZ) at the MF; a card without
/// it, or with no PACE this reader runs, gets BAC when the key is an MRZ, in ICAO 9303-11's order: SELECT the eMRTD
/// application first (in plain), then GET CHALLENGE and EXTERNAL AUTHENTICATE, since a chip may offer BAC inside the
/// application only. A card that refuses GET CHALLENGE there has no access control and is read in plain, as before. A refused password surfaces as <see cref="CardStatusException"/> with the
/// card's status word (6300), everything else from the protocols as <see cref="CardDataException"/>.
/// </summary>
internal static class CardAccessControl
{
    public const ushort FidCardAccess = 0x011C;

    /// <returns>The channel to read through, and whether the eMRTD application is selected already (BAC).</returns>
    public static async Task<(ICardChannel Channel, bool ApplicationSelected)> OpenAsync(ICardChannel channel, CardAccessKey key, RandomBytes random,
        CancellationToken ct)
    {
        ushort lastStatusWord = 0x9000;
        async Task<byte[]> Transmit(byte[] command, CancellationToken token)
        {
            byte[] response = await channel.TransmitAsync(command, token);
            if (response.Length >= 2) lastStatusWord = (ushort)((response[^2] << 8) | response[^1]);
            return response;
        }

        SecurityInfos? infos = await ReadCardAccessAsync(channel, ct);
        try
        {
            if (infos?.PreferredPace is { Algorithm: { } algorithm, ParameterId: int parameterId })
            {
                SessionKeys keys = await PaceTerminal.PerformAsync(Transmit, algorithm, parameterId, key.PacePassword, random,
                    sendParameterId: false, ct);
                return (new SecureMessagingChannel(channel, keys.StartSession()), false);
            }
            if (key.MrzInformation is not string mrzInformation) return (channel, false);
            // BAC lives in the eMRTD application (9303-11 §4.3): select it first. A card that refuses the SELECT is still
            // asked for a challenge where it is, as older readers did.
            bool selected = EmrtdResponseApdu.Parse(await Transmit(Apdus.SelectApplication(Apdus.EmrtdAid), ct)).IsSuccess;
            var challenge = EmrtdResponseApdu.Parse(await Transmit(BacTerminal.GetChallenge().Encode(), ct));
            if (!challenge.IsSuccess) return (channel, selected); // no BAC either: a card without access control
            BacKeys documentKeys = BacKeys.FromMrzInformation(mrzInformation);
            BacChallenge request = BacTerminal.BuildExternalAuthenticate(documentKeys, BacTerminal.ParseChallenge(challenge), random);
            var answer = EmrtdResponseApdu.Parse(await Transmit(request.Command.Encode(), ct));
            return (new SecureMessagingChannel(channel, BacTerminal.ProcessExternalAuthenticate(documentKeys, request, answer).StartSession()), selected);
        }
        catch (AuthenticationFailedException) when (lastStatusWord != 0x9000)
        {
            throw new CardStatusException("access control", lastStatusWord);
        }
        catch (EmrtdException e)
        {
            throw new CardDataException(CardDataError.AccessControl, e);
        }
    }

    /// <summary>SELECT MF without data (<c>00 A4 00 0C</c>): the Vietnamese card answers 6D00, others 6A86 or 6982.</summary>
    public static readonly byte[] SelectMasterFile = [0x00, 0xA4, 0x00, 0x0C];

    /// <summary>
    /// EF.CardAccess parsed, or null when the card has none (6A82, or any refusal of the SELECT). EF.CardAccess lives
    /// under the MF and is selected directly; only when that is refused (an application may still be selected) is the
    /// MF selected and the file tried once more. A refused SELECT MF (6D00 on a CCCD, 6A86, 6982, …) is tolerated.
    /// </summary>
    private static async Task<SecurityInfos?> ReadCardAccessAsync(ICardChannel channel, CancellationToken ct)
    {
        byte[]? content = await TryReadCardAccessAsync(channel, ct);
        if (content is null)
        {
            byte[] answer = await channel.TransmitAsync(SelectMasterFile, ct);
            bool mfSelected = answer is [.., 0x90, 0x00];
            if (mfSelected) content = await TryReadCardAccessAsync(channel, ct);
        }
        if (content is null) return null;
        try { return SecurityInfos.Parse(content); }
        catch (EmrtdException e) { throw new CardDataException(CardDataError.AccessControl, e); }
    }

    private static async Task<byte[]?> TryReadCardAccessAsync(ICardChannel channel, CancellationToken ct)
    {
        try { return await new CardReader(channel).ReadFileAsync(FidCardAccess, ct); }
        catch (CardStatusException) { return null; }
    }
}
