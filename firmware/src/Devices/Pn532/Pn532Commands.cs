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
        public const byte InPsl = 0x4E;

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

        /// <summary>
        /// Parses InListPassiveTarget's answer (NbTg, then target data); null when no target was found. Type A target
        /// data: Tg, SENS_RES (2), SEL_RES, NFCID length, NFCID, ATS (TL first). Type B: Tg, ATQB (12: 50, PUPI (4),
        /// application data (4), protocol info (3)), ATTRIB_RES length, ATTRIB_RES. The FSC, FWI and bit rates come from
        /// the ATS (T0, TA(1), TB(1)) or the ATQB's protocol info; a short or missing ATS leaves the ISO defaults.
        /// </summary>
        public static Pn532Target ParseListedTarget(byte[] parameters, CardType type)
        {
            if (parameters == null || parameters.Length < 2 || parameters[0] == 0) return null;
            // An ATQB always starts with 50. Anything else is no type B card: e.g. the late answer of a type A search
            // (SENS_RES 00 04 …) that arrived, ACK included, just after the type B search was sent.
            if (type == CardType.TypeB && (parameters.Length < 3 || parameters[2] != 0x50)) return null;
            Pn532Target target = new Pn532Target();
            target.TargetNumber = parameters[1];
            target.Type = type;
            if (type == CardType.TypeB) ParseAtqb(parameters, 2, target);
            else ParseTypeA(parameters, 2, target);
            return target;
        }

        private static void ParseTypeA(byte[] p, int i, Pn532Target target)
        {
            // SENS_RES (2), SEL_RES (1), NFCID length (1)
            if (i + 4 > p.Length) return;
            int uidLength = p[i + 3];
            int ats = i + 4 + uidLength;
            if (ats >= p.Length) return;
            int tl = p[ats];
            if (tl < 1 || ats + tl > p.Length) return;
            byte[] copy = new byte[tl];
            System.Array.Copy(p, ats, copy, 0, tl);
            target.Ats = copy;
            if (tl < 2) return;
            int t0 = copy[1];
            target.MaxFrameSize = FrameSizeFromIndex(t0 & 0x0F);
            int k = 2;
            if ((t0 & 0x10) != 0)
            {
                if (k >= tl) return;
                int ta = copy[k++];
                target.CardToReaderRates = (ta >> 4) & 0x07;
                target.ReaderToCardRates = ta & 0x07;
                // Bit 8: only the same bit rate both ways.
                if ((ta & 0x80) != 0)
                {
                    int both = target.CardToReaderRates & target.ReaderToCardRates;
                    target.CardToReaderRates = both;
                    target.ReaderToCardRates = both;
                }
            }
            if ((t0 & 0x20) != 0)
            {
                if (k >= tl) return;
                target.FrameWaitingInteger = ClampFwi(copy[k] >> 4);
            }
        }

        private static void ParseAtqb(byte[] p, int i, Pn532Target target)
        {
            // ATQB: 50, PUPI (4), application data (4), protocol info: bit rates, FSCI|type, FWI|ADC|FO.
            if (i + 12 > p.Length || p[i] != 0x50) return;
            int rates = p[i + 9];
            target.CardToReaderRates = (rates >> 4) & 0x07;
            target.ReaderToCardRates = rates & 0x07;
            if ((rates & 0x80) != 0)
            {
                int both = target.CardToReaderRates & target.ReaderToCardRates;
                target.CardToReaderRates = both;
                target.ReaderToCardRates = both;
            }
            target.MaxFrameSize = FrameSizeFromIndex(p[i + 10] >> 4);
            target.FrameWaitingInteger = ClampFwi(p[i + 11] >> 4);
        }

        private static int ClampFwi(int fwi) { return fwi == 15 ? 4 : fwi; }

        /// <summary>ISO/IEC 14443-4 FSCI/FSDI to bytes (values 9..12 from the 2016 amendment; 13..15 reserved, read as 256).</summary>
        public static int FrameSizeFromIndex(int index)
        {
            switch (index)
            {
                case 0: return 16;
                case 1: return 24;
                case 2: return 32;
                case 3: return 40;
                case 4: return 48;
                case 5: return 64;
                case 6: return 96;
                case 7: return 128;
                case 9: return 512;
                case 10: return 1024;
                case 11: return 2048;
                case 12: return 4096;
                default: return 256;
            }
        }

        /// <summary>
        /// The fastest bit rate (kbit/s) the card supports both ways and the reader allows, up to maxKbps (the PN532
        /// does 212 and 424 on ISO 14443-4; 848 only when maxKbps allows it). 106 when nothing faster is common.
        /// </summary>
        public static int ChooseBitRate(Pn532Target target, int maxKbps)
        {
            int common = target.CardToReaderRates & target.ReaderToCardRates;
            if ((common & 0x04) != 0 && maxKbps >= 848) return 848;
            if ((common & 0x02) != 0 && maxKbps >= 424) return 424;
            if ((common & 0x01) != 0 && maxKbps >= 212) return 212;
            return 106;
        }

        /// <summary>The BRit/BRti code of InPSL: 0 = 106, 1 = 212, 2 = 424, 3 = 848 kbit/s.</summary>
        public static byte BitRateCode(int kbps)
        {
            if (kbps >= 848) return 0x03;
            if (kbps >= 424) return 0x02;
            if (kbps >= 212) return 0x01;
            return 0x00;
        }

        /// <summary>InPSL: the same bit rate both ways for an activated ISO 14443-4 target (UM0701-02 §7.3.11).</summary>
        public static byte[] InPslCommand(byte targetNumber, int kbps)
        {
            byte code = BitRateCode(kbps);
            return new byte[] { InPsl, targetNumber, code, code };
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
