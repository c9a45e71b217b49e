using Broker.Core.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class SecretConfiguration : IEntityTypeConfiguration<Secret>
{
    public void Configure(EntityTypeBuilder<Secret> secret)
    {
        secret.ToTable("secrets");
        secret.HasKey(s => s.Name);
        secret.Property(s => s.Name).HasMaxLength(JobEnvironmentRules.MaxSecretNameLength);
        secret.Property(s => s.KeyId).HasMaxLength(16);
        secret.Property(s => s.RowVersion).IsRowVersion();
    }
}
