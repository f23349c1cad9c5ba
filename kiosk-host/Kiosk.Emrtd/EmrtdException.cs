namespace Kiosk.Emrtd;

/// <summary>
/// Every error this library raises. Messages say which step failed and why, with lengths, tags and status words as
/// context, but never key material, nonces, MACs or personal data.
/// </summary>
public abstract class EmrtdException : Exception
{
    protected EmrtdException(string message) : base(message) { }
}

/// <summary>Bytes from the card (or the terminal) that do not have the expected structure.</summary>
public sealed class MalformedDataException(string message) : EmrtdException(message);

/// <summary>A secure-messaging object is missing or its cryptographic checksum does not verify.</summary>
public sealed class SecureMessagingException(string message) : EmrtdException(message);

/// <summary>BAC or PACE did not authenticate: wrong password, wrong cryptogram or token, or the card refused.</summary>
public sealed class AuthenticationFailedException(string message) : EmrtdException(message);

/// <summary>An elliptic-curve point that is not on the curve, at infinity where that is forbidden, or badly encoded.</summary>
public sealed class InvalidPointException(string message) : EmrtdException(message);

/// <summary>A protocol, cipher or domain parameter set this library does not implement.</summary>
public sealed class UnsupportedProtocolException(string message) : EmrtdException(message);
