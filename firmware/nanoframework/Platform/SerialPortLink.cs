using System;
using System.IO.Ports;
using System.Threading;
using Kiosk.Firmware.Platform;

namespace Kiosk.Firmware.Device.Platform
{
    /// <summary>ISerialLink over nanoFramework's System.IO.Ports.SerialPort (8N1). Never throws: errors become silence.</summary>
    public class SerialPortLink : ISerialLink
    {
        private readonly SerialPort _port;
        private readonly byte[] _discard = new byte[64];

        public SerialPortLink(string portName, int baudRate)
        {
            _port = new SerialPort(portName, baudRate, Parity.None, 8, StopBits.One);
            _port.ReadTimeout = 50;
            _port.WriteTimeout = 1000;
            try
            {
                _port.Open();
            }
            catch (Exception)
            {
                // Left closed: the driver sees a silent peripheral and reports it absent.
            }
        }

        public void Write(byte[] buffer, int offset, int count)
        {
            if (!_port.IsOpen) return;
            try
            {
                _port.Write(buffer, offset, count);
            }
            catch (Exception)
            {
            }
        }

        public int Read(byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            if (!_port.IsOpen)
            {
                Thread.Sleep(timeoutMilliseconds);
                return 0;
            }
            DateTime deadline = DateTime.UtcNow.AddMilliseconds(timeoutMilliseconds);
            try
            {
                while (_port.BytesToRead == 0)
                {
                    if (DateTime.UtcNow >= deadline) return 0;
                    Thread.Sleep(2);
                }
                int available = _port.BytesToRead;
                return _port.Read(buffer, offset, available < count ? available : count);
            }
            catch (Exception)
            {
                return 0;
            }
        }

        /// <summary>
        /// nanoFramework's SerialPort has no DiscardInBuffer: reads and drops what has arrived (BytesToRead), a bounded
        /// number of rounds so a peripheral that never stops talking cannot hold the main loop here.
        /// </summary>
        public void DiscardInput()
        {
            if (!_port.IsOpen) return;
            try
            {
                for (int round = 0; round < 64; round++)
                {
                    int pending = _port.BytesToRead;
                    if (pending <= 0) return;
                    _port.Read(_discard, 0, pending < _discard.Length ? pending : _discard.Length);
                }
            }
            catch (Exception)
            {
            }
        }
    }
}
