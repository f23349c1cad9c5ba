using Kiosk.Emrtd;

namespace Kiosk.Simulators.VirtualCard.AccessControl;

/// <summary>How the virtual chip guards its files.</summary>
public sealed record VirtualCardOptions
{
    /// <summary>
    /// Off (the default): plain SELECT and READ BINARY, no EF.CardAccess, as the host's plain reader expects. On: the
    /// card has EF.CardAccess and answers PACE with the CAN or the MRZ and BAC with the MRZ, reads of the LDS files need
    /// one of them (6982 otherwise), and every APDU after authentication is in secure messaging.
    /// </summary>
    public bool RequireAccessControl { get; init; }

    /// <summary>
    /// With <see cref="RequireAccessControl"/>: a chip with BAC only, as ICAO 9303-11 §4.3 places it, inside the eMRTD
    /// application: no EF.CardAccess, no PACE, and GET CHALLENGE refused (6985) until the application is selected. A
    /// reader that runs BAC at the MF and selects the application afterwards fails on it.
    /// </summary>
    public bool BacOnly { get; init; }

    /// <summary>The chip's nonces and keys; tests inject fixed bytes to replay exchanges.</summary>
    public RandomBytes Random { get; init; } = RandomSource.System;

    /// <summary>
    /// Null (the default): the card holds EF.COM, DG1 and DG13 only. Set: also DG2, DG14, DG15 and EF.SOD signed by the
    /// test PKI (with the faulty-card variant it names), and the card answers INTERNAL AUTHENTICATE (in plain mode).
    /// </summary>
    public Security.CardSecurity? Security { get; init; }
}
