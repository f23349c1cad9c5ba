using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Kiosk.Host.Sync;

/// <summary>
/// The HTTP handler for every call to the portal. HTTP/1.1 with keep-alive (pooled connections, at most
/// <see cref="MaxConnections"/> at once). With <c>--portal-ca FILE --client-cert FILE --client-key FILE</c> it speaks
/// mutual TLS: it presents the kiosk's client certificate and trusts the portal only when the portal's certificate
/// chains to that CA file (not the operating system's store) and matches the host name. No "accept all".
/// </summary>
public static class PortalTls
{
    /// <summary>Connections to the portal at once (the relay sends up to this many dossiers in parallel).</summary>
    public const int MaxConnections = 8;

    public static SocketsHttpHandler CreateHandler(string? caFile, string? clientCertFile, string? clientKeyFile)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = MaxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseCookies = false,
            UseProxy = false,
        };
        if (caFile is null) return handler;

        var ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            certificate is not null && IsTrusted(certificate as X509Certificate2 ?? new X509Certificate2(certificate), errors, ca);
        if (clientCertFile is not null)
        {
            var client = X509Certificate2.CreateFromPemFile(clientCertFile, clientKeyFile);
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { client };
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => client;
        }
        return handler;
    }

    /// <summary>
    /// The portal's certificate is trusted when the name matches (TLS's own check) and the chain ends at exactly the
    /// demo CA, built with that CA as the only trust anchor.
    /// </summary>
    public static bool IsTrusted(X509Certificate2 certificate, SslPolicyErrors errors, X509Certificate2 ca)
    {
        // Only chain errors may be left: those come from the OS store not knowing our CA, and are re-checked below.
        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
        return chain.Build(certificate)
            && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(ca.RawDataMemory.Span);
    }
}
