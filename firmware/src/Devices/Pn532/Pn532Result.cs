namespace Kiosk.Firmware.Devices.Pn532
{
    public enum Pn532Status
    {
        Ok = 0,
        /// <summary>No card answered: none in the field, or the card left it (PN532 status 0x01, 0x27, 0x29, 0x2B).</summary>
        NoCard = 1,
        /// <summary>The PN532 itself did not acknowledge or answer in time (unplugged, powered off, wrong baud rate).</summary>
        Timeout = 2,
        /// <summary>The PN532 answered with an error status, an error frame, an unexpected or garbled frame.</summary>
        DeviceError = 3,
    }

    /// <summary>The outcome of one PN532 command. Data holds the response parameters after the response code.</summary>
    public class Pn532Result
    {
        public Pn532Status Status;
        /// <summary>The PN532 error code (UM0701 §7.1, low 6 bits of the status byte) when the PN532 reported one, else 0.</summary>
        public byte ErrorCode;
        public byte[] Data;
        /// <summary>Why it failed, for the log; never contains card data.</summary>
        public string Problem;

        public bool IsOk { get { return Status == Pn532Status.Ok; } }

        public static Pn532Result Ok(byte[] data)
        {
            Pn532Result result = new Pn532Result();
            result.Status = Pn532Status.Ok;
            result.Data = data;
            return result;
        }

        public static Pn532Result Failed(Pn532Status status, byte errorCode, string problem)
        {
            Pn532Result result = new Pn532Result();
            result.Status = status;
            result.ErrorCode = errorCode;
            result.Problem = problem;
            result.Data = new byte[0];
            return result;
        }
    }

    /// <summary>The card technologies the kiosk polls for; a CCCD chip card is ISO 14443-4 over type A or type B.</summary>
    public enum CardType
    {
        None = 0,
        TypeA = 1,
        TypeB = 2,
    }

    public class Pn532FirmwareVersion
    {
        public byte IcVersion;
        public byte Version;
        public byte Revision;
        public byte Support;
    }

    /// <summary>A target that InListPassiveTarget activated. The UID is deliberately not kept: it identifies a person's card.</summary>
    public class Pn532Target
    {
        public byte TargetNumber;
        public CardType Type;
        /// <summary>Type A: the ATS as the PN532 passes it on (TL first); null when the card sent none. Type B: null.</summary>
        public byte[] Ats;
        /// <summary>FSC: the largest frame the card accepts (ISO 14443-4 FSCI table; 32 when the card does not say).</summary>
        public int MaxFrameSize = 32;
        /// <summary>Frame waiting time integer (0..14); the card's frame waiting time is 302 us x 2^FWI. 4 when not given.</summary>
        public int FrameWaitingInteger = 4;
        /// <summary>Bit rates the card can send (PICC to PCD) beyond 106 kbit/s: 1 = 212, 2 = 424, 4 = 848.</summary>
        public int CardToReaderRates;
        /// <summary>Bit rates the card can receive (PCD to PICC) beyond 106 kbit/s: 1 = 212, 2 = 424, 4 = 848.</summary>
        public int ReaderToCardRates;
        /// <summary>The bit rate in use on the air, in kbit/s (106 after activation, more after a successful InPSL).</summary>
        public int BitRateKbps = 106;
    }
}
