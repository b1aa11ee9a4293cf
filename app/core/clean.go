package core

import (
	"context"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/clean"
)

// PreviewClean shows what a recipe would do to a table, changing nothing.
func (w *Workspace) PreviewClean(ctx context.Context, table string, steps []clean.Step) (*clean.PreviewResult, error) {
	return clean.Preview(ctx, w.Project, table, steps, 50)
}

// ApplyClean runs a recipe on a table in one transaction; a non-empty name
// saves the recipe so it can be re-run on the next import.
func (w *Workspace) ApplyClean(ctx context.Context, table, name string, steps []clean.Step) ([]clean.StepEffect, error) {
	return clean.Apply(ctx, w.Project, table, name, steps)
}

// Recipes lists the saved cleaning recipes.
func (w *Workspace) Recipes(ctx context.Context) ([]clean.Recipe, error) {
	return clean.List(ctx, w.Project)
}

// Recipe returns a saved recipe by name.
func (w *Workspace) Recipe(ctx context.Context, name string) (*clean.Recipe, error) {
	return clean.Get(ctx, w.Project, name)
}

// SaveRecipe stores a recipe without running it.
func (w *Workspace) SaveRecipe(ctx context.Context, r clean.Recipe) error {
	return clean.Save(ctx, w.Project, r)
}

// Profile describes every column of a table.
func (w *Workspace) Profile(ctx context.Context, table string) ([]storage.ColumnProfile, error) {
	return w.Project.Profile(ctx, table)
}
