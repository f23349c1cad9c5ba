namespace Kiosk.Emrtd.Iso7816;

/// <summary>Sends one command APDU to the card and returns its response APDU. The transport belongs to the caller.</summary>
public delegate byte[] ApduTransmit(byte[] commandApdu);

/// <summary>The asynchronous form, for a reader behind a relay (the host's card channel).</summary>
public delegate Task<byte[]> AsyncApduTransmit(byte[] commandApdu, CancellationToken cancellationToken);
