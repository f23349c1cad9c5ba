using Kiosk.Emrtd;
using Kiosk.Emrtd.Pace;

namespace Kiosk.Host.Card;

/// <summary>
/// What opens a chip that needs access control, as the resident typed it: the CAN (on a CCCD, the last 6 digits of the
/// 12-digit ID number, typed on the on-screen keypad) or the MRZ's document number, date of birth and date of expiry.
/// Held only for one read, never logged or stored.
/// </summary>
public sealed class CardAccessKey
{
    private CardAccessKey(PacePassword pacePassword, string? mrzInformation)
    {
        PacePassword = pacePassword;
        MrzInformation = mrzInformation;
    }

    internal PacePassword PacePassword { get; }

    /// <summary>For BAC, which only knows the MRZ; null for a CAN.</summary>
    internal string? MrzInformation { get; }

    /// <summary>A CAN of exactly 6 digits.</summary>
    public static CardAccessKey FromCan(string can)
    {
        if (can is not { Length: 6 } || !can.All(char.IsAsciiDigit)) throw new ArgumentException("a CAN is 6 digits", nameof(can));
        return new CardAccessKey(PacePassword.FromCan(can), null);
    }

    /// <summary>The CAN of a CCCD from its 12-digit ID number.</summary>
    public static CardAccessKey FromIdNumber(string idNumber)
    {
        if (idNumber is not { Length: 12 } || !idNumber.All(char.IsAsciiDigit))
            throw new ArgumentException("an ID number is 12 digits", nameof(idNumber));
        return FromCan(idNumber[^6..]);
    }

    /// <summary>From the MRZ: document number (9 characters on a CCCD), dates as YYMMDD.</summary>
    public static CardAccessKey FromMrz(string documentNumber, string dateOfBirth, string dateOfExpiry)
    {
        string information;
        try { information = Kiosk.Emrtd.Bac.MrzInformation.Build(documentNumber, dateOfBirth, dateOfExpiry); }
        catch (EmrtdException) { throw new ArgumentException("not a valid MRZ document number or date"); }
        return new CardAccessKey(PacePassword.FromMrzInformation(information), information);
    }

    public override string ToString() => "CardAccessKey { … }";
}
