using Kiosk.Emrtd;

namespace Kiosk.Host.Card;

public enum CardDataError
{
    /// <summary>The card sent fewer bytes than a file's header promised, or stopped sending (bounded reads).</summary>
    Truncated,
    /// <summary>A file longer than the reader accepts (bounded memory against a lying length field).</summary>
    LengthTooLarge,
    /// <summary>A file or answer did not parse: Kiosk.Emrtd's <see cref="MalformedDataException"/> is the inner exception.</summary>
    Malformed,
    /// <summary>PACE or BAC could not open the chip for a reason other than a refused password (bad answer, fake chip).</summary>
    AccessControl,
    /// <summary>A secure-messaging answer did not verify or decrypt.</summary>
    SecureMessaging,
}

/// <summary>
/// The host's one typed error for card data a read cannot use, for the session and the maintenance API. The parsers
/// (Kiosk.Emrtd) throw <see cref="EmrtdException"/>s; the reader wraps them here (<see cref="Exception.InnerException"/>)
/// at its boundary, so callers catch one type. The message names the step and lengths, never keys or personal data.
/// </summary>
public sealed class CardDataException : Exception
{
    public CardDataException(CardDataError error, string message) : base($"[{error}] {message}") => Error = error;

    public CardDataException(CardDataError error, EmrtdException inner) : base($"[{error}] {inner.Message}", inner) => Error = error;

    public CardDataError Error { get; }

    /// <summary>Runs a Kiosk.Emrtd parser and turns its error into the host's.</summary>
    public static T Wrap<T>(Func<T> parse, CardDataError error = CardDataError.Malformed)
    {
        try { return parse(); }
        catch (EmrtdException e) { throw new CardDataException(error, e); }
    }
}

/// <summary>The card answered a command with a status word other than success.</summary>
public sealed class CardStatusException(string step, ushort statusWord)
    : Exception($"[{step}] card answered SW {statusWord:X4}")
{
    public string Step { get; } = step;
    public ushort StatusWord { get; } = statusWord;
}
