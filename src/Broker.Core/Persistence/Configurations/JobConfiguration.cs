using Broker.Core.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Broker.Core.Persistence.Configurations;

public sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> job)
    {
        job.ToTable("jobs");
        job.HasKey(j => j.Id);
        job.Property(j => j.Seq).UseIdentityAlwaysColumn();
        job.HasIndex(j => j.Seq).IsUnique();
        job.Property(j => j.Team).HasMaxLength(64);
        job.Property(j => j.Name).HasMaxLength(128);
        job.Property(j => j.State).HasMaxLength(16);
        job.Property(j => j.Image).HasMaxLength(512);
        job.Property(j => j.IdempotencyKey).HasMaxLength(128);
        job.Property(j => j.RequestHash).HasMaxLength(64);
        job.Property(j => j.Version).IsRowVersion();
        job.Property(j => j.LatestExplanation).HasColumnType("jsonb");
        job.OwnsOne(j => j.Gpu, gpu =>
        {
            gpu.Property(g => g.Count).HasColumnName("gpu_count");
            gpu.Property(g => g.Models).HasColumnName("gpu_models");
            gpu.Property(g => g.MinMemoryGb).HasColumnName("gpu_min_memory_gb");
            gpu.Property(g => g.Share).HasColumnName("gpu_share").HasPrecision(5, 4);
            gpu.Property(g => g.MigProfile).HasColumnName("gpu_mig_profile").HasMaxLength(16);
            gpu.Ignore(g => g.IsFractional);
        });
        job.Navigation(j => j.Gpu).IsRequired();
        job.Property(j => j.Env).HasColumnType("jsonb").HasConversion(JsonMap.Converter, JsonMap.Comparer);
        job.Property(j => j.SecretEnv).HasColumnType("jsonb").HasConversion(JsonMap.Converter, JsonMap.Comparer);
        job.Ignore(j => j.HasEnvironment);
        job.HasMany(j => j.Labels).WithOne().HasForeignKey(l => l.JobId).OnDelete(DeleteBehavior.Cascade);
        job.HasMany(j => j.Events).WithOne().HasForeignKey(e => e.JobId).OnDelete(DeleteBehavior.Cascade);
        job.HasIndex(j => new { j.Team, j.IdempotencyKey }).IsUnique().HasFilter("idempotency_key IS NOT NULL");
        job.HasIndex(j => new { j.Team, j.Seq });
        job.HasIndex(j => new { j.State, j.Seq });
    }
}
