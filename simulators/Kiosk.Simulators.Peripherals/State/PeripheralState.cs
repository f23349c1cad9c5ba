using System.Security.Cryptography;
using Kiosk.Simulators.VirtualCard;
using Kiosk.Simulators.VirtualCard.AccessControl;
using Kiosk.Simulators.VirtualCard.Security;
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
/// that uses random UIDs shows a new one every time it enters the field. It also keeps what went over the air during
/// the placement (<see cref="Air"/>), so a benchmark can compare a read's total time with the air-interface time.
/// </summary>
public sealed class CardPlacement
{
    public CardPlacement(long number, PersonProfile profile, CardType type)
        : this(number, profile, type, new CardPlacementOptions())
    {
    }

    public CardPlacement(long number, PersonProfile profile, CardType type, CardPlacementOptions options)
    {
        Number = number;
        Profile = profile;
        Type = type;
        MaxBitRateKbps = options.MaxBitRateKbps;
        RequireAccessControl = options.RequireAccessControl;
        BacOnly = options.BacOnly;
        Security = options.Security;
        RemoveAfterApdus = options.RemoveAfterApdus;
        Card = new VirtualCccdCard(profile, new VirtualCardOptions
        {
            RequireAccessControl = options.RequireAccessControl, BacOnly = options.BacOnly, Security = options.Security,
        });
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
    /// <summary>The fastest bit rate the card offers in its ATS (TA(1)) or ATQB; the reader may switch to it with InPSL.</summary>
    public int MaxBitRateKbps { get; }
    public bool RequireAccessControl { get; }
    /// <summary>With access control: BAC only, inside the eMRTD application (no EF.CardAccess, no PACE).</summary>
    public bool BacOnly { get; }
    /// <summary>DG2, DG14, DG15 and EF.SOD signed by the test PKI (with a fault, if any); null for EF.COM, DG1, DG13 only.</summary>
    public CardSecurity? Security { get; }
    public AirLog Air { get; } = new();

    /// <summary>A faulty placement: the card leaves the field once it has answered this many APDUs; null: it stays.</summary>
    public int? RemoveAfterApdus { get; }

    private int apdusAnswered;

    /// <summary>Counts one answered APDU; true when it was the last one before the card leaves the field.</summary>
    public bool CountApduAndCheckLeaving() =>
        RemoveAfterApdus is int limit && Interlocked.Increment(ref apdusAnswered) == limit;
}

/// <summary>How a card is placed: its fastest bit rate and whether it guards its files with PACE/BAC.</summary>
public sealed record CardPlacementOptions
{
    /// <summary>106, 212, 424 or 848 kbit/s. 106 (the default) keeps the card at the activation bit rate.</summary>
    public int MaxBitRateKbps { get; init; } = 106;
    public bool RequireAccessControl { get; init; }
    /// <summary>With access control: BAC only, offered inside the eMRTD application only (GET CHALLENGE refused before its SELECT).</summary>
    public bool BacOnly { get; init; }
    public CardSecurity? Security { get; init; }
    /// <summary>Card removed mid-read: after answering this many APDUs (1 or more) the card leaves the field.</summary>
    public int? RemoveAfterApdus { get; init; }
}

/// <summary>
/// What went over the air for one placement: every APDU exchange (command and answer length, the bit rate used) and
/// the modelled air time. Thread-safe; <see cref="Reset"/> starts a new measurement (one read).
/// </summary>
public sealed class AirLog
{
    private readonly object gate = new();
    private readonly List<(int Command, int Response)> exchanges = [];
    private TimeSpan airTime;

    public void Record(int commandBytes, int responseBytes, TimeSpan time)
    {
        lock (gate)
        {
            exchanges.Add((commandBytes, responseBytes));
            airTime += time;
        }
    }

    /// <summary>Time spent on the air outside APDUs (activation, PPS, presence checks).</summary>
    public void RecordOverhead(TimeSpan time)
    {
        lock (gate) airTime += time;
    }

    public void Reset()
    {
        lock (gate)
        {
            exchanges.Clear();
            airTime = TimeSpan.Zero;
        }
    }

    public AirSnapshot Snapshot()
    {
        lock (gate) return new AirSnapshot([.. exchanges], airTime);
    }
}

public sealed record AirSnapshot(IReadOnlyList<(int Command, int Response)> Exchanges, TimeSpan AirTime)
{
    public int CommandBytes => Exchanges.Sum(e => e.Command);
    public int ResponseBytes => Exchanges.Sum(e => e.Response);
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
    public CardPlacement PlaceCard(PersonProfile profile, CardType type) => PlaceCard(profile, type, new CardPlacementOptions());

    /// <summary>Puts a card with these options on the reader, replacing any card already there.</summary>
    public CardPlacement PlaceCard(PersonProfile profile, CardType type, CardPlacementOptions options)
    {
        lock (gate)
        {
            card = new CardPlacement(++placementCounter, profile, type, options);
            return card;
        }
    }

    public void RemoveCard()
    {
        lock (gate) card = null;
    }

    /// <summary>Takes this placement off the reader, unless another card has replaced it meanwhile.</summary>
    public void RemoveCard(long placement)
    {
        lock (gate)
            if (card?.Number == placement) card = null;
    }
}
