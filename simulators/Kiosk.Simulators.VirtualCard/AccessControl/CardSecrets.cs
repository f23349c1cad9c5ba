using Kiosk.Emrtd.Bac;
using Kiosk.Simulators.VirtualCard.Lds;
using Kiosk.Simulators.VirtualCard.Profiles;

namespace Kiosk.Simulators.VirtualCard.AccessControl;

/// <summary>
/// The passwords a CCCD chip knows: the CAN (the last 6 digits of the 12-digit ID number; the card prints none) and the
/// MRZ information (document number = last 9 digits of the ID, date of birth, date of expiry), taken from the same
/// MRZ as DG1 so both always agree.
/// </summary>
public sealed record CardSecrets(string Can, string MrzInformation)
{
    public static CardSecrets From(PersonProfile profile)
    {
        string[] lines = MrzTd1.Lines(profile);
        string mrzInformation = Kiosk.Emrtd.Bac.MrzInformation.Build(lines[0][5..14], lines[1][0..6], lines[1][8..14]);
        return new CardSecrets(profile.IdNumber[^6..], mrzInformation);
    }

    public BacKeys BacKeys() => Kiosk.Emrtd.Bac.BacKeys.FromMrzInformation(MrzInformation);

    public override string ToString() => "CardSecrets { … }";
}
