namespace Kiosk.Firmware.Devices.Pn532
{
    /// <summary>
    /// PN532 command codes and the pure builders/parsers of their parameters (UM0701-02 §7). The driver sends what
    /// these build; tests and the peripheral simulator can use the same constants.
    /// </summary>
    public static class Pn532Commands
    {
        public const byte Diagnose = 0x00;
        public const byte GetFirmwareVersion = 0x02;
        public const byte SamConfiguration = 0x14;
        public const byte RfConfiguration = 0x32;
        public const byte InDataExchange = 0x40;
        public const byte InListPassiveTarget = 0x4A;
        public const byte InRelease = 0x52;

        /// <summary>Diagnose test number for the ISO 14443-4 card presence test.</summary>
        public const byte DiagnoseCardPresence = 0x06;
        public const byte RfItemField = 0x01;
        public const byte RfItemMaxRetries = 0x05;

        public const byte BaudRate106TypeA = 0x00;
        public const byte BaudRate106TypeB = 0x03;

        /// <summary>Bit 6 of InDataExchange's target byte and of its status byte: more information follows (chaining).</summary>
        public const byte MoreInformation = 0x40;
        /// <summary>Largest DataOut per InDataExchange that still fits a normal (non-extended) frame: 255 - TFI - code - Tg.</summary>
        public const int MaxDataOutPerFrame = 252;

        /// <summary>The HSU wake-up: 0x55 0x55 then zeros, long enough for the PN532 to leave power-down (UM0701 §6.2.2).</summary>
        public static byte[] WakeUpSequence()
        {
            byte[] bytes = new byte[16];
            bytes[0] = 0x55;
            bytes[1] = 0x55;
            return bytes;
        }

        /// <summary>Normal mode (no SAM), 1 s virtual-card timeout, IRQ used.</summary>
        public static byte[] SamConfigurationNormal() { return new byte[] { SamConfiguration, 0x01, 0x14, 0x01 }; }

        /// <summary>
        /// MxRtyATR 0xFF (default), MxRtyPSL 0x01, MxRtyPassiveActivation 0x01: InListPassiveTarget tries twice and then
        /// answers "no target" instead of waiting for a card forever.
        /// </summary>
        public static byte[] RfConfigurationMaxRetries() { return new byte[] { RfConfiguration, RfItemMaxRetries, 0xFF, 0x01, 0x01 }; }

        public static byte[] RfConfigurationField(bool on) { return new byte[] { RfConfiguration, RfItemField, (byte)(on ? 0x01 : 0x00) }; }

        public static byte[] InListPassiveTargetCommand(CardType type)
        {
            if (type == CardType.TypeB)
            {
                // Type B needs the AFI as initiator data; 0x00 selects every application family.
                return new byte[] { InListPassiveTarget, 0x01, BaudRate106TypeB, 0x00 };
            }
            return new byte[] { InListPassiveTarget, 0x01, BaudRate106TypeA };
        }

        public static byte[] InReleaseCommand(byte targetNumber) { return new byte[] { InRelease, targetNumber }; }

        public static byte[] DiagnoseCardPresenceCommand() { return new byte[] { Diagnose, DiagnoseCardPresence }; }

        /// <summary>One InDataExchange frame: code, target (with MI when more chunks follow), then this chunk of the APDU.</summary>
        public static byte[] InDataExchangeCommand(byte targetNumber, bool moreFollows, byte[] data, int offset, int count)
        {
            byte[] command = new byte[2 + count];
            command[0] = InDataExchange;
            command[1] = (byte)(moreFollows ? targetNumber | MoreInformation : targetNumber);
            System.Array.Copy(data, offset, command, 2, count);
            return command;
        }

        /// <summary>Parses GetFirmwareVersion's parameters (IC, Ver, Rev, Support); null when too short.</summary>
        public static Pn532FirmwareVersion ParseFirmwareVersion(byte[] parameters)
        {
            if (parameters == null || parameters.Length < 4) return null;
            Pn532FirmwareVersion version = new Pn532FirmwareVersion();
            version.IcVersion = parameters[0];
            version.Version = parameters[1];
            version.Revision = parameters[2];
            version.Support = parameters[3];
            return version;
        }

        /// <summary>Parses InListPassiveTarget's answer (NbTg, then target data); null when no target was found.</summary>
        public static Pn532Target ParseListedTarget(byte[] parameters, CardType type)
        {
            if (parameters == null || parameters.Length < 2 || parameters[0] == 0) return null;
            Pn532Target target = new Pn532Target();
            target.TargetNumber = parameters[1];
            target.Type = type;
            return target;
        }

        /// <summary>
        /// Status codes that mean the card is not (or no longer) there: 0x01 target timeout, 0x27 no target activated,
        /// 0x29 target released, 0x2B previously activated card has disappeared.
        /// </summary>
        public static bool MeansNoCard(byte errorCode)
        {
            return errorCode == 0x01 || errorCode == 0x27 || errorCode == 0x29 || errorCode == 0x2B;
        }
    }
}
