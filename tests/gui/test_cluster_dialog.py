"""The runs table's "Export for a cluster…": the dialog writes the bundle and shows the torchrun
command; a batch that does not split over the GPUs is refused in the dialog, nothing written."""

from PySide6.QtCore import Qt

from engine.train import pretrain
from gui.widgets import cluster_dialog
from gui.widgets.cluster_dialog import ClusterExportDialog
from tests.conftest import TINY, run_events


def test_runs_table_opens_the_dialog_and_it_exports(window, qtbot, tmp_path, monkeypatch):
    win = window
    assert win.create_workspace(str(tmp_path / "ws"), demo=True)
    ws = win.ctx.ws
    from engine.config import TokenizerConfig
    from engine.data import tokenize

    run_events(tokenize.run(ws, TokenizerConfig(vocab_size=512)))
    run_id = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "2"})))[-1].result["run"]
    idx = next(i for i, p in enumerate(win.pages) if p.stage == "pretrain")
    win.nav.setCurrentRow(idx)
    page = win.pages[idx]
    runs = page.run_list
    runs.refresh()
    assert runs.selected_run() == run_id  # the page shows its latest run at once
    runs.table.clearSelection()
    assert not runs.cluster_button.isEnabled()  # nothing selected
    runs.table.selectRow(0)
    assert runs.cluster_button.isEnabled()

    opened = []
    monkeypatch.setattr(cluster_dialog.ClusterExportDialog, "exec", lambda self: opened.append(self) or 0)
    qtbot.mouseClick(runs.cluster_button, Qt.MouseButton.LeftButton)
    assert len(opened) == 1 and opened[0].run_id == run_id
    dialog = opened[0]
    qtbot.addWidget(dialog)

    dialog.gpus.setValue(3)  # batch 4 does not split over 3 processes
    dialog.folder.setText(str(tmp_path / "bundle"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "batch_size 4" in dialog.message.text() and dialog.command.isHidden()
    assert not (tmp_path / "bundle").exists()

    dialog.gpus.setValue(2)
    dialog.remote.setText("/shared/ws")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.result is not None and dialog.result["world_size"] == 2
    assert not dialog.command.isHidden()
    assert dialog.command.toPlainText().startswith("WS=/shared/ws torchrun --standalone --nproc_per_node 2")
    assert (tmp_path / "bundle" / "launch.sh").is_file() and (tmp_path / "bundle" / "run.toml").is_file()


def test_dialog_defaults(ws, qtbot):
    d = ClusterExportDialog(ws, "pretrain-x")
    qtbot.addWidget(d)
    assert d.nodes.value() == 1 and d.gpus.value() == 8 and d.remote.text() == str(ws.root)
    assert d.folder.text().endswith("pretrain-x")
