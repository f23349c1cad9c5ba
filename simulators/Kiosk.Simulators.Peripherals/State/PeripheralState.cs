using System.Security.Cryptography;
using Kiosk.Simulators.VirtualCard;
using Kiosk.Simulators.VirtualCard.Profiles;

namespace Kiosk.Simulators.Peripherals.State;

/// <summary>ISO/IEC 14443 type of the virtual card's RF interface.</summary>
public enum CardType
{
    A,
    B,
}

/// <summary>
/// One placement of a card on the reader. Each placement has its own number and a fresh random UID (NFCID), as a CCCD
/// that uses random UIDs shows a new one every time it enters the field.
/// </summary>
public sealed class CardPlacement
{
    public CardPlacement(long number, PersonProfile profile, CardType type)
    {
        Number = number;
        Profile = profile;
        Type = type;
        Card = new VirtualCccdCard(profile);
        // ISO 14443-3: a single-size UID starting with 08 is a random ID.
        byte[] random = RandomNumberGenerator.GetBytes(4);
        random[0] = 0x08;
        Nfcid = random;
    }

    public long Number { get; }
    public PersonProfile Profile { get; }
    public CardType Type { get; }
    public IVirtualCard Card { get; }
    public byte[] Nfcid { get; }
}

public enum PaperLevel
{
    Ok,
    NearEnd,
    Out,
}

/// <summary>What the printer's sensors report; the ESC/POS parser reads it for status answers and to go offline.</summary>
public readonly record struct PrinterCondition(bool CoverOpen, PaperLevel Paper)
{
    public static readonly PrinterCondition Ready = new(false, PaperLevel.Ok);

    /// <summary>A printer with its cover open or without paper prints nothing.</summary>
    public bool IsOffline => CoverOpen || Paper == PaperLevel.Out;
}

/// <summary>Everything a person changes on the control page, shared by the device simulations. Thread-safe.</summary>
public sealed class PeripheralState
{
    private readonly object gate = new();
    private long placementCounter;
    private CardPlacement? card;
    private bool fingerPresent;
    private PrinterCondition printer = PrinterCondition.Ready;

    public CardPlacement? Card
    {
        get { lock (gate) return card; }
    }

    public bool FingerPresent
    {
        get { lock (gate) return fingerPresent; }
        set { lock (gate) fingerPresent = value; }
    }

    public PrinterCondition Printer
    {
        get { lock (gate) return printer; }
        set { lock (gate) printer = value; }
    }

    /// <summary>Puts a card on the reader, replacing any card already there.</summary>
    public CardPlacement PlaceCard(PersonProfile profile, CardType type)
    {
        lock (gate)
        {
            card = new CardPlacement(++placementCounter, profile, type);
            return card;
        }
    }

    public void RemoveCard()
    {
        lock (gate) card = null;
    }
}
