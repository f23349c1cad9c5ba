// Public API of nanoFramework.System.IO.Ports 1.1.139 (signatures from ../nano-packages-api.txt); no implementation.
// There is no DiscardInBuffer / DiscardOutBuffer in any version of the package.
using System;
using System.IO;

namespace System.IO.Ports
{
    public enum Handshake
    {
        None = 0,
        XOnXOff = 1,
        RequestToSend = 2,
        RequestToSendXOnXOff = 3,
    }

    public enum Parity
    {
        None = 0,
        Odd = 1,
        Even = 2,
    }

    public enum SerialData
    {
        Chars = 1,
        WatchChar = 2,
    }

    public class SerialDataReceivedEventArgs : EventArgs
    {
        internal SerialDataReceivedEventArgs() { throw null; }
        public SerialData EventType { get { throw null; } }
    }

    public delegate void SerialDataReceivedEventHandler(object sender, SerialDataReceivedEventArgs e);

    public enum SerialMode
    {
        Normal = 0,
        RS485 = 1,
    }

    public sealed class SerialPort : IDisposable
    {
        public SerialPort(string portName, int baudRate = 9600, Parity parity = Parity.None, int dataBits = 8, StopBits stopBits = StopBits.One) { throw null; }
        public void Open() { throw null; }
        public void Close() { throw null; }
        public static string[] GetPortNames() { throw null; }
        public int BaudRate { get { throw null; } set { throw null; } }
        public Handshake Handshake { get { throw null; } set { throw null; } }
        public int DataBits { get { throw null; } set { throw null; } }
        public Parity Parity { get { throw null; } set { throw null; } }
        public SerialMode Mode { get { throw null; } set { throw null; } }
        public StopBits StopBits { get { throw null; } set { throw null; } }
        public string PortName { get { throw null; } }
        public char WatchChar { set { throw null; } get { throw null; } }
        public bool IsOpen { get { throw null; } }
        public string NewLine { get { throw null; } set { throw null; } }
        public int ReadTimeout { get { throw null; } set { throw null; } }
        public int WriteTimeout { get { throw null; } set { throw null; } }
        public int ReceivedBytesThreshold { get { throw null; } set { throw null; } }
        public Stream BaseStream { get { throw null; } }
        public int BytesToRead { get { throw null; } }
        public bool InvertSignalLevels { get { throw null; } set { throw null; } }
        public int ReadBufferSize { set { throw null; } get { throw null; } }
        public int WriteBufferSize { set { throw null; } get { throw null; } }
        public event SerialDataReceivedEventHandler DataReceived { add { throw null; } remove { throw null; } }
        public int Read(byte[] buffer, int offset, int count) { throw null; }
        public int ReadByte() { throw null; }
        public string ReadExisting() { throw null; }
        public string ReadLine() { throw null; }
        public void Write(byte[] buffer, int offset, int count) { throw null; }
        public void WriteByte(byte value) { throw null; }
        public void Write(string text) { throw null; }
        public void WriteLine(string text) { throw null; }
        public void Dispose() { throw null; }
    }

    public enum StopBits
    {
        One = 1,
        Two = 2,
        OnePointFive = 3,
    }
}
