using Kiosk.DeviceContract;

using Kiosk.Firmware.Platform;

namespace Kiosk.Firmware.Devices.ReceiptPrinter
{
    public enum PrinterReadStatus
    {
        Ok = 0,
        /// <summary>The printer did not answer a status request in time.</summary>
        Timeout = 1,
        /// <summary>The printer answered with a byte that cannot be a status.</summary>
        DeviceError = 2,
    }

    public class PrinterStatus
    {
        public PrinterReadStatus Status;
        public bool CoverOpen;
        public PaperLevel Paper;

        public bool IsOnline { get { return Status == PrinterReadStatus.Ok; } }

        public bool SameAs(PrinterStatus other)
        {
            return other != null && other.Status == Status && other.CoverOpen == CoverOpen && other.Paper == Paper;
        }
    }

    public enum PrintResult
    {
        Ok = 0,
        PaperOut = 1,
        CoverOpen = 2,
        Timeout = 3,
        DeviceError = 4,
    }

    /// <summary>
    /// An ESC/POS thermal printer on a UART (or its TCP bridge). It reads the real-time status and sends jobs the host
    /// built; it never looks inside a job. Not thread-safe: the firmware's main loop owns the link.
    /// </summary>
    public class ReceiptPrinter
    {
        /// <summary>The contract's largest print job.</summary>
        public const int MaxJobLength = 65535;

        private readonly ISerialLink _link;
        private readonly byte[] _answer = new byte[1];

        /// <summary>Real-time status answers come at once; 500 ms covers a busy printer and the TCP bridge.</summary>
        public int StatusTimeoutMilliseconds = 500;
        /// <summary>Bytes per write: small enough for a UART driver's buffer, large enough to keep the line busy.</summary>
        public int ChunkSize = 512;

        public ReceiptPrinter(ISerialLink link)
        {
            _link = link;
        }

        public PrinterStatus ReadStatus()
        {
            PrinterStatus status = new PrinterStatus();
            _link.DiscardInput();
            byte offline;
            status.Status = Ask(EscPos.StatusOffline, out offline);
            if (status.Status != PrinterReadStatus.Ok) return status;
            byte paper;
            status.Status = Ask(EscPos.StatusPaperRoll, out paper);
            if (status.Status != PrinterReadStatus.Ok) return status;
            status.CoverOpen = EscPos.IsCoverOpen(offline);
            status.Paper = EscPos.ParsePaperLevel(paper);
            return status;
        }

        /// <summary>Prints only when the printer answers, its cover is closed and it has paper.</summary>
        public PrintResult Print(byte[] job, out PrinterStatus statusBefore)
        {
            statusBefore = ReadStatus();
            if (statusBefore.Status == PrinterReadStatus.Timeout) return PrintResult.Timeout;
            if (statusBefore.Status != PrinterReadStatus.Ok) return PrintResult.DeviceError;
            if (statusBefore.Paper == PaperLevel.Out) return PrintResult.PaperOut;
            if (statusBefore.CoverOpen) return PrintResult.CoverOpen;
            int offset = 0;
            while (offset < job.Length)
            {
                int count = job.Length - offset;
                if (count > ChunkSize) count = ChunkSize;
                _link.Write(job, offset, count);
                offset += count;
            }
            return PrintResult.Ok;
        }

        private PrinterReadStatus Ask(byte n, out byte answer)
        {
            answer = 0;
            byte[] request = EscPos.StatusRequest(n);
            _link.Write(request, 0, request.Length);
            int count = _link.Read(_answer, 0, 1, StatusTimeoutMilliseconds);
            if (count <= 0) return PrinterReadStatus.Timeout;
            answer = _answer[0];
            return EscPos.IsStatusByte(answer) ? PrinterReadStatus.Ok : PrinterReadStatus.DeviceError;
        }
    }
}
