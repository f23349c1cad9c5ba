namespace Kiosk.Host.Card;

public enum CardDataError
{
    Truncated,
    LengthTooLarge,
    UnsupportedLength,
    UnexpectedTag,
    BadMrz,
    MrzCheckDigit,
    BadDg13,
    BadDate,
    /// <summary>PACE or BAC could not open the chip for a reason other than a refused password (bad answer, fake chip).</summary>
    AccessControl,
    /// <summary>A secure-messaging answer did not verify or decrypt.</summary>
    SecureMessaging,
}

/// <summary>The only exception the pure card-data parsers throw. The message names the context, never the data.</summary>
public sealed class CardDataException(CardDataError error, string message) : Exception($"[{error}] {message}")
{
    public CardDataError Error { get; } = error;
}

/// <summary>The card answered a command with a status word other than success.</summary>
public sealed class CardStatusException(string step, ushort statusWord)
    : Exception($"[{step}] card answered SW {statusWord:X4}")
{
    public string Step { get; } = step;
    public ushort StatusWord { get; } = statusWord;
}
