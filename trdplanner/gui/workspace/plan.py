"""The Treatment plan tab: problems, goals, SMART objectives and interventions, with status."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trdplanner.core.errors import InputError, StaleError
from trdplanner.core.records import GoalRec, InterventionRec, ObjectiveRec, PlanRec, ProblemRec
from trdplanner.core.vocab import COMPARATORS, OPEN_OBJECTIVE, GoalStatus, ObjectiveStatus, PlanStatus
from trdplanner.gui.columns import fit_columns
from trdplanner.gui.dates import DateField, first_unreadable
from trdplanner.gui.dialogs import confirm, show_error
from trdplanner.gui.forms.errors import ErrorLabel
from trdplanner.gui.forms.record_fields import NumberField, combo, set_combo
from trdplanner.gui.patient_tab import TabKey
from trdplanner.gui.stale import ask_stale, differences
from trdplanner.gui.theme import colour, icon
from trdplanner.gui.workspace.base import WorkspaceTab, empty_state

INSTRUMENTS = [("None", ""), ("PHQ-9", "phq9"), ("GAD-7", "gad7"), ("QIDS-SR16", "qids_sr16"), ("HAM-D17", "hamd17")]
KIND_NAMES = {ProblemRec: "Problem", GoalRec: "Goal", ObjectiveRec: "Objective", InterventionRec: "Intervention"}


def _text_field(tip: str, placeholder: str = "") -> QLineEdit:
    w = QLineEdit()
    w.setToolTip(tip)
    w.setPlaceholderText(placeholder)
    return w


def _area(tip: str, height: int = 70) -> QPlainTextEdit:
    w = QPlainTextEdit()
    w.setToolTip(tip)
    w.setTabChangesFocus(True)
    w.setFixedHeight(height)
    return w


class PlanTab(WorkspaceTab):
    key = TabKey.PLAN

    def can_save(self) -> bool:
        return True

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.plan: PlanRec | None = None
        self._dirty = False
        self._filling = False

        # plan header
        self.status = combo([(s.label, str(s)) for s in PlanStatus], "Active, revised or closed")
        self.review_date = DateField(tip="When the whole plan is next reviewed")
        self.participation = _text_field("How the client took part in making the plan",
                                         "Developed together in session 3; client agreed the goals")
        self.created = QLabel()
        self.created.setProperty("role", "muted")
        head = QGroupBox("Plan")
        hf = QFormLayout(head)
        hf.addRow("Status", self.status)
        hf.addRow("Next review", self.review_date)
        hf.addRow("Client participation", self.participation)
        hf.addRow(self.created)

        # tree
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Item", "Status", "Target / review"])
        self.tree.setToolTip("Problems with their goals, objectives and interventions. Select one to edit it")
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 100)
        header.resizeSection(2, 170)
        self.fitter = fit_columns(self.tree, 0)
        self.tree.setStyleSheet("QTreeView::item { padding: 3px 0; }")
        self.tree.currentItemChanged.connect(lambda cur, _prev: self._select(cur))

        self.add_problem = self._button("Problem", "add", "Add a problem to the plan", self._add_problem)
        self.add_goal = self._button("Goal", "add", "Add a goal under the selected problem", self._add_goal)
        self.add_objective = self._button("Objective", "add", "Add a measurable objective under the selected goal",
                                          self._add_objective)
        self.add_intervention = self._button("Intervention", "add", "Add an intervention to the selected problem",
                                             self._add_intervention)
        self.remove = self._button("Remove…", "remove", "Remove the selected item and everything under it",
                                   self._remove)
        # Two short rows rather than one long one: the tree keeps its room on a 1024-pixel screen.
        tools = QGridLayout()
        tools.setHorizontalSpacing(4)
        for i, b in enumerate((self.add_problem, self.add_goal, self.add_objective, self.add_intervention,
                               self.remove)):
            tools.addWidget(b, i // 3, i % 3)

        # editors
        self.p_statement = _area("The problem in the client's words or the clinician's formulation")
        self.p_evidence = _area("What shows the problem: symptoms, scores, functioning")
        self.g_text = _area("What the client wants to achieve", 56)
        self.g_status = combo([(s.label, str(s)) for s in GoalStatus], "Whether the goal is active, met or dropped")
        self.o_text = _area("A specific, measurable step toward the goal", 56)
        self.o_status = combo([(s.label, str(s)) for s in ObjectiveStatus], "Progress on this objective")
        self.o_instrument = combo(INSTRUMENTS, "The measure the target is read from (optional)")
        self.o_comparator = combo([("", "")] + [(c, c) for c in COMPARATORS], "How the score compares to the target")
        self.o_value = NumberField(decimals=1, maximum=100, tip="The target score")
        self.o_target_date = DateField(tip="When the objective should be met")
        self.o_review = DateField(tip="When to review progress on it")
        self.i_text = _area("What will be done", 56)
        self.i_modality = _text_field("Therapy modality, e.g. CBT, behavioural activation", "CBT")
        self.i_frequency = _text_field("How often, e.g. weekly", "weekly")
        self.i_responsible = _text_field("Who is responsible for it", "therapist")
        self.editor_error = ErrorLabel()

        def page(rows: list[tuple[str, QWidget]]) -> QWidget:
            w = QWidget()
            f = QFormLayout(w)
            f.setContentsMargins(0, 0, 0, 0)
            for label, field in rows:
                f.addRow(label, field)
            return w

        target = QHBoxLayout()
        for w in (self.o_instrument, self.o_comparator, self.o_value):
            target.addWidget(w)
        target.addStretch(1)
        target_box = QWidget()
        target_box.setLayout(target)
        target.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        self.pages.addWidget(empty_state("Nothing selected", "Select an item in the plan to edit it."))
        self.pages.addWidget(page([("Problem", self.p_statement), ("Evidence", self.p_evidence)]))
        self.pages.addWidget(page([("Goal", self.g_text), ("Status", self.g_status)]))
        self.pages.addWidget(page([("Objective", self.o_text), ("Status", self.o_status), ("Target", target_box),
                                   ("Target date", self.o_target_date), ("Review on", self.o_review)]))
        self.pages.addWidget(page([("Intervention", self.i_text), ("Modality", self.i_modality),
                                   ("Frequency", self.i_frequency), ("Responsible", self.i_responsible)]))
        editor = QGroupBox("Selected item")
        el = QVBoxLayout(editor)
        el.addWidget(self.pages)
        el.addWidget(self.editor_error)
        el.addStretch(1)

        for area in (self.p_statement, self.p_evidence, self.g_text, self.o_text, self.i_text):
            area.textChanged.connect(self._edited)
        for line in (self.participation, self.i_modality, self.i_frequency, self.i_responsible, self.o_value):
            line.textEdited.connect(self._edited)
        for box in (self.status, self.g_status, self.o_status, self.o_instrument, self.o_comparator):
            box.currentIndexChanged.connect(self._edited)
        for d in (self.review_date, self.o_target_date, self.o_review):
            d.dateChanged.connect(self._edited)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(tools)
        ll.addWidget(self.tree, 1)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(head)
        rl.addWidget(editor, 1)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([520, 480])
        split.setChildrenCollapsible(False)
        left.setMinimumWidth(240)

        self.save_button = self._button("Save plan", "save", "Save the treatment plan (Ctrl+S)", self.save_current)
        self.state = QLabel()
        self.state.setProperty("role", "muted")
        bar = QHBoxLayout()
        bar.addWidget(self.state, 1)
        bar.addWidget(self.save_button)

        self.plan_page = QWidget()
        pl = QVBoxLayout(self.plan_page)
        pl.setContentsMargins(16, 12, 16, 12)
        pl.addWidget(split, 1)
        pl.addLayout(bar)
        self.create_button = self._button("Create treatment plan", "plan", "Start a plan for this patient",
                                          self._create)
        empty_page = QWidget()
        ep = QVBoxLayout(empty_page)
        ep.addStretch(1)
        ep.addWidget(empty_state("No treatment plan yet", "A plan lists the problems you are working on, the "
                                 "client's goals, measurable objectives and the interventions."))
        ep.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignHCenter)
        ep.addStretch(2)
        self.outer = QStackedWidget()
        self.outer.addWidget(self.plan_page)
        self.outer.addWidget(empty_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.outer)

    def _button(self, text: str, icon_name: str, tip: str, slot: Any) -> QPushButton:
        b = QPushButton(icon(icon_name), text)
        b.setToolTip(tip)
        b.clicked.connect(lambda _c=False: slot())
        return b

    # ---------------------------------------------------------------- load

    def clear(self) -> None:
        self.plan = None
        self.tree.clear()
        self._set_dirty(False)

    def load(self, patient_id: int) -> None:
        self.show_plan(self.ctx.plans.current(patient_id))

    def show_plan(self, plan: PlanRec | None) -> None:
        self.plan = copy.deepcopy(plan)
        self._filling = True
        self.outer.setCurrentIndex(0 if plan else 1)
        if plan is not None:
            set_combo(self.status, plan.status)
            self.review_date.set_value(plan.review_date)
            self.participation.setText(plan.client_participation)
            revised = f", revised {plan.revised_on.isoformat()}" if plan.revised_on else ""
            self.created.setText(f"Created {plan.created_on.isoformat()}{revised}")
        self._rebuild_tree()
        self._filling = False
        self._set_dirty(False)

    def _rebuild_tree(self, select: object | None = None) -> None:
        self.tree.clear()
        if self.plan is None:
            return
        chosen = None
        for p in self.plan.problems:
            pi = self._item(None, p)
            for g in p.goals:
                gi = self._item(pi, g)
                for o in g.objectives:
                    oi = self._item(gi, o)
                    chosen = oi if o is select else chosen
                chosen = gi if g is select else chosen
            for iv in p.interventions:
                ii = self._item(pi, iv)
                chosen = ii if iv is select else chosen
            chosen = pi if p is select else chosen
        self.tree.expandAll()
        if chosen is None and self.tree.topLevelItemCount():
            chosen = self.tree.topLevelItem(0)
        if chosen is not None:
            self.tree.setCurrentItem(chosen)
        else:
            self._select(None)

    def _item(self, parent: QTreeWidgetItem | None, rec: Any) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent) if parent is not None else QTreeWidgetItem(self.tree)
        item.setData(0, Qt.ItemDataRole.UserRole, rec)
        self._label(item)
        return item

    def _label(self, item: QTreeWidgetItem) -> None:
        rec = item.data(0, Qt.ItemDataRole.UserRole)
        kind = KIND_NAMES[type(rec)]
        text = getattr(rec, "statement", None) or getattr(rec, "text", "") or "(empty)"
        item.setText(0, f"{kind}: {text.splitlines()[0] if text else ''}")
        item.setToolTip(0, text)
        status = getattr(rec, "status", "")
        item.setText(1, status.replace("_", " "))
        detail = ""
        if isinstance(rec, ObjectiveRec):
            bits = []
            if rec.target_instrument and rec.target_comparator and rec.target_value is not None:
                bits.append(f"{rec.target_instrument.upper()} {rec.target_comparator} {rec.target_value:g}")
            if rec.review_date:
                bits.append(f"review {rec.review_date.isoformat()}")
            detail = " · ".join(bits)
            due = rec.review_date and rec.review_date <= dt.date.today() and rec.status in OPEN_OBJECTIVE
            item.setForeground(2, colour("danger") if due else colour("muted"))
        elif isinstance(rec, InterventionRec):
            detail = " · ".join(b for b in (rec.modality, rec.frequency, rec.responsible) if b)
        item.setText(2, detail)
        if isinstance(rec, ProblemRec):
            f = item.font(0)
            f.setBold(True)
            item.setFont(0, f)

    # ---------------------------------------------------------------- selection and edits

    def _current(self) -> Any:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _select(self, item: QTreeWidgetItem | None) -> None:
        rec = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        self._filling = True
        page = {ProblemRec: 1, GoalRec: 2, ObjectiveRec: 3, InterventionRec: 4}.get(type(rec), 0)
        self.pages.setCurrentIndex(page)
        if isinstance(rec, ProblemRec):
            self.p_statement.setPlainText(rec.statement)
            self.p_evidence.setPlainText(rec.evidence)
        elif isinstance(rec, GoalRec):
            self.g_text.setPlainText(rec.text)
            set_combo(self.g_status, rec.status)
        elif isinstance(rec, ObjectiveRec):
            self.o_text.setPlainText(rec.text)
            set_combo(self.o_status, rec.status)
            set_combo(self.o_instrument, rec.target_instrument)
            set_combo(self.o_comparator, rec.target_comparator)
            self.o_value.set_value(rec.target_value)
            self.o_target_date.set_value(rec.target_date)
            self.o_review.set_value(rec.review_date)
        elif isinstance(rec, InterventionRec):
            self.i_text.setPlainText(rec.text)
            self.i_modality.setText(rec.modality)
            self.i_frequency.setText(rec.frequency)
            self.i_responsible.setText(rec.responsible)
        self._filling = False
        self.add_goal.setEnabled(rec is not None)
        self.add_objective.setEnabled(isinstance(rec, GoalRec | ObjectiveRec))
        self.add_intervention.setEnabled(rec is not None)
        self.remove.setEnabled(rec is not None)

    def _edited(self, *_args: object) -> None:
        if self._filling or self.plan is None:
            return
        self.plan.status = PlanStatus(self.status.currentData())
        self.plan.review_date = self.review_date.value()
        self.plan.client_participation = self.participation.text()
        rec = self._current()
        if isinstance(rec, ProblemRec):
            rec.statement, rec.evidence = self.p_statement.toPlainText(), self.p_evidence.toPlainText()
        elif isinstance(rec, GoalRec):
            rec.text, rec.status = self.g_text.toPlainText(), GoalStatus(self.g_status.currentData())
        elif isinstance(rec, ObjectiveRec):
            rec.text, rec.status = self.o_text.toPlainText(), ObjectiveStatus(self.o_status.currentData())
            rec.target_instrument = str(self.o_instrument.currentData())
            rec.target_comparator = str(self.o_comparator.currentData())
            value = self.o_value.value()
            rec.target_value = float(value) if value is not None else None
            rec.target_date, rec.review_date = self.o_target_date.value(), self.o_review.value()
        elif isinstance(rec, InterventionRec):
            rec.text, rec.modality = self.i_text.toPlainText(), self.i_modality.text()
            rec.frequency, rec.responsible = self.i_frequency.text(), self.i_responsible.text()
        current = self.tree.currentItem()
        if current is not None:
            self._label(current)
        self._set_dirty(True)

    def _owners(self, rec: Any) -> tuple[ProblemRec | None, GoalRec | None]:
        assert self.plan is not None
        for p in self.plan.problems:
            if rec is p or rec in p.interventions:
                return p, None
            for g in p.goals:
                if rec is g or rec in g.objectives:
                    return p, g
        return None, None

    def _add(self, new: Any) -> None:
        self._rebuild_tree(select=new)
        self._set_dirty(True)
        (self.p_statement if isinstance(new, ProblemRec) else self.g_text if isinstance(new, GoalRec)
         else self.o_text if isinstance(new, ObjectiveRec) else self.i_text).setFocus()

    def _add_problem(self) -> None:
        if self.plan is not None:
            new = ProblemRec(statement="")
            self.plan.problems.append(new)
            self._add(new)

    def _add_goal(self) -> None:
        problem, _ = self._owners(self._current())
        if problem is not None:
            new = GoalRec(text="")
            problem.goals.append(new)
            self._add(new)

    def _add_objective(self) -> None:
        _, goal = self._owners(self._current())
        if goal is not None:
            new = ObjectiveRec(text="")
            goal.objectives.append(new)
            self._add(new)

    def _add_intervention(self) -> None:
        problem, _ = self._owners(self._current())
        if problem is not None:
            new = InterventionRec(text="")
            problem.interventions.append(new)
            self._add(new)

    def _remove(self) -> None:
        rec = self._current()
        if rec is None or self.plan is None:
            return
        kind = KIND_NAMES[type(rec)].lower()
        under = " and everything under it" if isinstance(rec, ProblemRec | GoalRec) else ""
        if not confirm(self, f"Remove {kind}", f"Remove this {kind}{under} from the plan? It is gone once you "
                       "save the plan.", "Remove"):
            return
        problem, goal = self._owners(rec)
        if isinstance(rec, ProblemRec):
            self.plan.problems.remove(rec)
        elif isinstance(rec, GoalRec) and problem:
            problem.goals.remove(rec)
        elif isinstance(rec, ObjectiveRec) and goal:
            goal.objectives.remove(rec)
        elif isinstance(rec, InterventionRec) and problem:
            problem.interventions.remove(rec)
        self._rebuild_tree()
        self._set_dirty(True)

    def _create(self) -> None:
        self.show_plan(PlanRec(created_on=dt.date.today(), problems=[ProblemRec(statement="")]))
        self._set_dirty(True)
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)
        self.p_statement.setFocus()

    # ---------------------------------------------------------------- save

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.save_button.setEnabled(dirty)
        self.state.setText("Unsaved changes" if dirty else ("Saved" if self.plan else ""))
        if not dirty:
            self.editor_error.show_error("")
        self.dirty_changed.emit(dirty)

    def has_unsaved_changes(self) -> bool:
        return self._dirty

    def discard_changes(self) -> None:
        self._set_dirty(False)
        self.invalidate()

    def save_current(self) -> bool:
        if self.plan is None or self.patient_id is None:
            return False
        bad = first_unreadable(self)
        if bad is not None:
            self.editor_error.show_error("A date could not be read: " + bad.error())
            return False
        plan = copy.deepcopy(self.plan)
        if plan.id is not None:
            plan.revised_on = dt.date.today()
        try:
            self.ctx.plans.save(self.patient_id, plan)
        except InputError as exc:
            self.editor_error.show_error(_plan_error(exc))
            return False
        except StaleError as exc:
            return self._resolve_stale(exc, plan)
        except Exception as exc:
            show_error(self, "Could not save the treatment plan", exc)
            return False
        self._set_dirty(False)
        self.invalidate()
        self.notify_saved()
        return True


    def _resolve_stale(self, exc: StaleError, mine: PlanRec) -> bool:
        """Someone else saved this plan since it was loaded: reload theirs, or keep mine on top."""
        assert self.patient_id is not None
        theirs = next((p for p in self.ctx.plans.list(self.patient_id) if p.id == mine.id), None)
        if theirs is None:
            show_error(self, "Could not save the treatment plan", exc)
            return False
        choice = ask_stale(self, exc, "This treatment plan", differences(mine, theirs))
        if choice == "reload":
            self._set_dirty(False)
            self.show_plan(theirs)
            return True
        if choice == "keep":
            mine.version = theirs.version
            try:
                self.ctx.plans.save(self.patient_id, mine)
            except Exception as again:
                show_error(self, "Could not save the treatment plan", again)
                return False
            self._set_dirty(False)
            self.invalidate()
            self.notify_saved()
            return True
        return False


def _plan_error(exc: InputError) -> str:
    where = exc.field.replace("plan.", "").replace("problems", "problem").replace("goals", "goal")
    where = where.replace("objectives", "objective").replace("interventions", "intervention")
    for n in range(30):
        where = where.replace(f"[{n}]", f" {n + 1}")
    return f"{where.replace('.', ', ').replace('_', ' ')}: {exc.problem}. Select it in the plan and correct it."
